"""Interface catalogs, label packs, fonts, text normalisation and Vietnamese collation."""
