"""One case → its DOCX, PDF, PNG: validate, render, convert (pandoc, typst), assemble the DOCX."""
