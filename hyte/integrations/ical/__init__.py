"""iCalendar (RFC 5545): import organizations' event feeds, export a service's times as an .ics feed.

Only this package reads or writes the iCalendar format: ``parser`` turns feed bytes into plain
dataclasses, ``client`` fetches a feed over http(s), ``services`` writes them into the catalog
(Event rows, and Schedule rows for simple weekly meetings), ``exporter`` builds a service's feed,
``selectors`` expands upcoming occurrences and ``views`` serves the public .ics file.
"""
