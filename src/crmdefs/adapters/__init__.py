"""One adapter per CRM behind one small protocol (base.py). Each CRM's quirks stay inside its adapter."""
