"""Application dossiers as PDF (WeasyPrint), stored encrypted."""
