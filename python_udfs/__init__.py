"""In-warehouse Python for segment_marts.

``stats`` holds the distribution functions registered as DuckDB UDFs by ``plugin``; the other
modules hold the maths behind the dbt Python models. Everything here is pure and unit-tested
without dbt (see tests/python).
"""
