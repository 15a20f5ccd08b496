// Audio files through libsndfile (placeholder).
