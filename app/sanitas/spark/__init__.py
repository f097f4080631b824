"""The Spark engine: the same recipe, the same transform code, run on Apache Spark (``sanitas[spark]``).

A sibling of ``cli`` and ``gui`` that sits on the core. Nothing here is imported unless the Spark
engine is asked for (``sanitas apply --engine spark``): PySpark and its JVM start only then.
Entry point: ``sanitas.spark.engine.run_on_spark``.
"""
