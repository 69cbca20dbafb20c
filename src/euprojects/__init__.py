"""euprojects: find EU-funded projects across the official open data of the EU."""

__version__ = "0.1.0"
