"""Local mode's shuffle partitions follow the table's size: one per core for small tables, more for millions of
cells (two for a 10M x 20 table ran the residual join's sort out of JVM heap); a cluster keeps its own setting."""

from __future__ import annotations

from sanitas.spark.session import fit_shuffle_partitions


def test_shuffle_partitions_grow_with_the_cells_in_local_mode(spark) -> None:
    before = spark.conf.get("spark.sql.shuffle.partitions")
    try:
        assert fit_shuffle_partitions(spark, "local[2]", 3_000, 8) == 2
        assert spark.conf.get("spark.sql.shuffle.partitions") == "2"
        assert fit_shuffle_partitions(spark, "local[2]", 10_000_000, 20) == 80
        assert spark.conf.get("spark.sql.shuffle.partitions") == "80"
        assert fit_shuffle_partitions(spark, "spark://head:7077", 10_000_000, 20) is None
        assert spark.conf.get("spark.sql.shuffle.partitions") == "80"
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", before)
