// Media facts for ts-info (placeholder).
