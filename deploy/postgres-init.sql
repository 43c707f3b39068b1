-- Una base por servicio: ningún servicio lee las tablas de otro.
CREATE DATABASE omm_casos;
CREATE DATABASE omm_ayudas;
CREATE DATABASE omm_capacitaciones;
CREATE DATABASE omm_notificaciones;
CREATE DATABASE omm_reportes;
