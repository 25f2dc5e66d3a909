"""Open Referral HSDS 3.0: the read API under /hsds/ (api.py), import (importer.py) and export
(exporter.py) of JSON and the tabular CSV package; mapping.py knows the format, services.py writes."""
