"""The Salesforce adapter: sign-in, REST describe and Metadata API reads and writes, its HTTP transport."""
