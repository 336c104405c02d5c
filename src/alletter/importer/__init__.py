"""A letter file → its case: read the text, recognise the boilerplate, write the case file."""
