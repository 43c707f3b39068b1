"""POA e informe de actividades: viven en el gateway porque cruzan los tres servicios.

El plan (metas) y los textos del informe son de la oficina y se guardan en la base del gateway;
lo logrado se calcula cada vez con los mismos agregados de la región, nunca se copia.
"""

import sqlalchemy as sa
from eventlet import tpool
from werkzeug.wrappers import Response

from omm_common.contexto import token_de_servicio
from omm_common.errores import ErrorValidacion, NoEncontrado, error_de_campo
from omm_common.esquemas import cargar

from .. import documentos_informe, informe, poa
from ..http import ruta
from ..models import Mancomunidad, MetaPoa, Municipio, TextoInforme
from ..schemas import FiltroInforme, FiltroPoa, PoaEntrada, PoaSalida, TextosInforme
from .ayudas import XLSX
from omm_common.tiempo import hoy_honduras

OFICINA = ("coordinadora", "tecnica")
CAMPOS_TEXTO = ("introduccion", "objetivo_general", "objetivos_especificos", "desafios", "lineas_accion")


def _anio(valor):
    if not (valor.isdigit() and 2000 <= int(valor) <= 2100):
        raise error_de_campo("anio", "Indique un año entre 2000 y 2100.")
    return int(valor)


class RutasReportes:
    def _ambito(self, p, municipio):
        """Los municipios que quien pide puede ver: el suyo, o los de su mancomunidad."""
        with self.uow() as uow:
            if p.yo.rol == "mancomunidad":
                miembros = self._municipios_de(p.yo.mancomunidad)
                if municipio and municipio not in miembros:
                    raise NoEncontrado("No se encontró ese municipio en su mancomunidad.", {"municipio": municipio})
                m = uow.sesion.get(Mancomunidad, p.yo.mancomunidad)
                codigos = [municipio] if municipio else miembros
                tipo, codigo, nombre = ("mancomunidad", m.codigo, m.nombre) if not municipio else (None, None, None)
            else:
                if municipio and municipio != p.yo.municipio:
                    raise NoEncontrado("No se encontró ese municipio.", {"municipio": municipio})
                codigos, tipo = [p.yo.municipio], None
            nombres = dict(uow.sesion.execute(sa.select(Municipio.codigo, Municipio.nombre).where(
                Municipio.codigo.in_(codigos))).all())
        if tipo is None:
            tipo, codigo = "municipio", codigos[0]
            nombre = f"Oficina Municipal de la Mujer de {nombres[codigo]}"
        return {"tipo": tipo, "codigo": codigo, "nombre": nombre, "municipios": codigos}, nombres

    def _planes(self, municipios, anio):
        with self.uow() as uow:
            filas = uow.sesion.scalars(sa.select(MetaPoa).where(
                MetaPoa.municipio.in_(municipios), MetaPoa.anio == anio).order_by(MetaPoa.municipio, MetaPoa.orden))
            planes = {}
            for f in filas:
                planes.setdefault(f.municipio, []).append({
                    "nombre": f.nombre, "indicador": f.indicador, "tipo_capacitacion": f.tipo_capacitacion,
                    "categoria_ayuda": f.categoria_ayuda,
                    "metas": {t: float(getattr(f, f"meta_{t}")) for t in poa.TRIMESTRES}})
        return planes

    def _avance_poa(self, municipios, anio, nombres):
        """Avance de cada plan, de los agregados de cada trimestre y del año (10 RPC en paralelo)."""
        planes = self._planes(municipios, anio)
        if not planes:
            return []
        conmigo = sorted(planes)
        self.propagar_identidad(token_de_servicio("gateway"))
        periodos = poa.periodos(anio)
        respuestas = iter(self.en_paralelo(
            (s, "agregados", d.isoformat(), h.isoformat(), conmigo)
            for d, h in periodos.values() for s in ("capacitaciones", "ayudas")))
        por_periodo = {p: (next(respuestas), next(respuestas)) for p in periodos}
        return [{"municipio": m, "municipio_nombre": nombres.get(m, m), "anio": anio,
                 "calculado_hasta": hoy_honduras().isoformat(),
                 "actividades": poa.avance(planes[m], por_periodo, m)} for m in conmigo]

    # --- POA ---

    @ruta("GET", "/api/v1/poa/<anio>", "Plan operativo anual del municipio, con su avance calculado de lo registrado",
          OFICINA + ("mancomunidad",), consulta=FiltroPoa, respuesta=PoaSalida, etiqueta="reportes")
    def obtener_poa(self, p, anio):
        anio = _anio(anio)
        f = cargar(FiltroPoa(), p.consulta)
        if p.yo.rol == "mancomunidad" and not f.get("municipio"):
            raise error_de_campo("municipio", "Indique el municipio de su mancomunidad.")
        return 200, self._poa(p, anio, f.get("municipio"))

    def _poa(self, p, anio, municipio=None):
        ambito, nombres = self._ambito(p, municipio)
        municipio = ambito["municipios"][0]
        avance = self._avance_poa([municipio], anio, nombres)
        return avance[0] if avance else {"municipio": municipio, "municipio_nombre": nombres[municipio],
                                         "anio": anio, "calculado_hasta": hoy_honduras().isoformat(),
                                         "actividades": []}

    @ruta("PUT", "/api/v1/poa/<anio>", "Fija las metas del POA del año (reemplaza el plan entero)", ("coordinadora",),
          cuerpo=PoaEntrada, respuesta=PoaSalida, etiqueta="reportes")
    def fijar_poa(self, p, anio):
        anio = _anio(anio)
        datos = cargar(PoaEntrada(), p.cuerpo)
        errores = poa.validar_plan(datos["actividades"])
        if errores:
            raise ErrorValidacion("Hay datos inválidos en el plan.", errores)
        with self.uow() as uow:
            # Reemplazar el plan entero: repetir el mismo PUT deja exactamente lo mismo.
            uow.sesion.execute(sa.delete(MetaPoa).where(MetaPoa.municipio == p.yo.municipio, MetaPoa.anio == anio))
            for n, a in enumerate(datos["actividades"]):
                uow.sesion.add(MetaPoa(
                    municipio=p.yo.municipio, anio=anio, orden=n, nombre=a["nombre"], indicador=a["indicador"],
                    tipo_capacitacion=a.get("tipo_capacitacion"), categoria_ayuda=a.get("categoria_ayuda"),
                    actualizado_por=p.yo.usuario_id, **{f"meta_{t}": a["metas"][t] for t in poa.TRIMESTRES}))
        return 200, self._poa(p, anio)

    # --- textos del informe ---

    @ruta("GET", "/api/v1/reportes/textos", "Presentación, objetivos y desafíos que la oficina escribe para su informe",
          ("coordinadora",), respuesta=TextosInforme, etiqueta="reportes")
    def obtener_textos(self, p):
        return 200, self._textos_de(p.yo.municipio)

    @ruta("PUT", "/api/v1/reportes/textos", "Escribe los textos propios del informe (los ausentes vuelven al texto "
          "de siempre)", ("coordinadora",), cuerpo=TextosInforme, respuesta=TextosInforme, etiqueta="reportes")
    def fijar_textos(self, p):
        datos = cargar(TextosInforme(), p.cuerpo)
        with self.uow() as uow:
            fila = uow.sesion.get(TextoInforme, p.yo.municipio) or TextoInforme(municipio=p.yo.municipio)
            for campo in CAMPOS_TEXTO:
                setattr(fila, campo, datos.get(campo))
            fila.actualizado_por = p.yo.usuario_id
            uow.sesion.add(fila)
        return 200, self._textos_de(p.yo.municipio)

    def _textos_de(self, municipio):
        return self._textos([municipio]).get(municipio, dict.fromkeys(CAMPOS_TEXTO))

    def _textos(self, municipios):
        with self.uow() as uow:
            return {t.municipio: {c: getattr(t, c) for c in CAMPOS_TEXTO} for t in uow.sesion.scalars(
                sa.select(TextoInforme).where(TextoInforme.municipio.in_(municipios)))}

    # --- informe ---

    @ruta("GET", "/api/v1/reportes/informe", "Informe de actividades del periodo (json, pdf o xlsx)",
          ("coordinadora", "mancomunidad"), consulta=FiltroInforme, etiqueta="reportes",
          otros_estados={200: "El informe (JSON, o el archivo PDF o .xlsx según «formato»)"})
    def informe(self, p):
        f = cargar(FiltroInforme(), p.consulta)
        hoy = hoy_honduras()
        desde, hasta = informe.periodo(f.get("desde"), f.get("hasta"), hoy)
        ambito, nombres = self._ambito(p, f.get("municipio"))
        municipios = ambito["municipios"]
        self.propagar_identidad(token_de_servicio("gateway"))
        d, h = desde.isoformat(), hasta.isoformat()
        casos, ayudas, capacitaciones, actividades = self.en_paralelo([
            ("casos", "agregados", d, h, municipios), ("ayudas", "agregados", d, h, municipios),
            ("capacitaciones", "agregados", d, h, municipios), ("capacitaciones", "actividades", d, h, municipios)])
        propios = self._textos(municipios)
        if ambito["tipo"] == "municipio":
            textos = informe.textos(propios.get(ambito["codigo"], {}), nombres[ambito["codigo"]], d, h)
        else:
            textos = informe.textos_de_region(propios, nombres, ambito["nombre"], d, h)
        datos = informe.componer(
            ambito, {"desde": d, "hasta": h}, textos,
            {"casos": casos, "ayudas": ayudas, "capacitaciones": capacitaciones}, actividades,
            self._avance_poa(municipios, hasta.year, nombres), nombres)
        datos["generado_el"] = hoy.isoformat()
        nombre = f"informe-omm-{ambito['codigo'].lower()}-{d}-{h}"
        if f["formato"] == "json":
            return 200, datos
        # El PDF es trabajo de CPU: en un hilo real, para no detener a las demás solicitudes del gateway.
        if f["formato"] == "pdf":
            contenido, tipo = tpool.execute(documentos_informe.pdf, datos), "application/pdf"
        else:
            contenido, tipo = tpool.execute(documentos_informe.xlsx, datos), XLSX
        return Response(contenido, mimetype=tipo, headers={
            "Content-Disposition": f'attachment; filename="{nombre}.{f["formato"]}"'})
