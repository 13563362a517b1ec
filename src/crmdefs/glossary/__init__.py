"""The glossary as a document people read: outline, Markdown and HTML."""
