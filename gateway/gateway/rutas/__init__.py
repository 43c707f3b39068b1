"""Rutas del gateway, un módulo por dominio; cada uno es una mezcla de la clase Gateway."""
