"""The contradiction engine: propositions and detection rules as plain functions.

Claims, actors, roles, sources and the declared knowledge tables go in (`World`); propositions and
proposed relations come out. Nothing here speaks HTTP or SQL: the storage layer feeds it the
candidates it finds by proposition key, and the dataset tooling feeds it the whole dataset.
"""
