"""The participation figures: what they count (in SQL, over rollups kept by triggers), the
period they cover, small-number suppression, CSV and JSON, and the `report` and
`refresh-figures` commands. Plain functions; no routes (the pages are in `consult.reports`)."""
