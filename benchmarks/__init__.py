"""Scale benchmarks (``make bench``) and the data generator they run on (``generate_scale_data``)."""
