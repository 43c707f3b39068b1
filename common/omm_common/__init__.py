"""Código que los cuatro servicios y el gateway comparten, sin reglas de dominio."""
