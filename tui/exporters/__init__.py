"""Export formats: BibTeX, RIS, CSL-JSON."""
