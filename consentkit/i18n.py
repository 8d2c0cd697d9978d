"""The visitor-facing strings for the widget and the pages: English and Spanish here,
Chinese, Tagalog, Vietnamese, Korean, French and German in ``translations``.

One table serves both: the widget gets its strings, in one language, with its deferred
script (``widget_config``; widget.js's code carries no language), and the server pages
render from the same keys. A policy overrides any string per language
(``Policy(texts={"es": {"banner.title": "..."}})``); a language the policy adds
starts from the English defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .translations import MORE_TEXTS

DEFAULT_LANGUAGE = "en"

# Keys the widget uses; the rest are for the server pages only.
WIDGET_KEYS = frozenset({
    "banner.title", "banner.opt_in", "banner.opt_out", "banner.kept", "banner.changed", "gpc.honored",
    "notice.pi", "notice.privacy",
    "action.accept", "action.reject", "action.preferences", "action.close", "action.open", "action.save",
    "dns", "prefs.title", "prefs.text", "prefs.required", "prefs.sale", "prefs.services", "prefs.cookies",
    "prefs.storage", "age.question", "age.year", "age.month", "age.submit", "age.invalid",
    "parent.text", "parent.email", "parent.submit", "parent.sent", "parent.unavailable",
    "parent.pending", "parent.denied",
    "minor.opt_in", "minor.confirm", "saved", "error",
    "confirm.title", "confirm.text", "confirm.teen", "action.confirm", "action.cancel",
})

_TEXTS: dict[str, Mapping[str, str]] = {
    "en": {
        "banner.title": "Your privacy choices",
        "banner.opt_in": "We would like to use cookies and similar technologies for the purposes below. "
                         "Optional ones stay off unless you accept them. You can change your mind at any time.",
        "banner.opt_out": "We use cookies and similar technologies, some of them to sell or share personal "
                          "information for advertising. You can refuse them now or at any time.",
        "banner.kept": "Your opt-out of the sale or sharing of your personal information stays in effect.",
        "banner.changed": "New since you last chose, and off until you choose again:",
        "notice.pi": "What we collect with them: identifiers (cookie and device IDs) and internet activity "
                     "(pages viewed, clicks, the browser and its settings), for these purposes:",
        "notice.privacy": "Privacy policy",
        "notice.sold": "sold or shared",
        "notice.kept": "Kept up to {duration}.",
        "gpc.honored": "Opt-Out Request Honored",
        "action.accept": "Accept all",
        "action.reject": "Reject all",
        "action.preferences": "Choose",
        "action.close": "Close",
        "action.open": "Privacy choices",
        "action.save": "Save choices",
        "dns": "Do Not Sell or Share My Personal Information",
        "prefs.title": "Privacy preferences",
        "prefs.text": "Choose what we may use. Necessary cookies keep the site working and are always on.",
        "prefs.required": "always on",
        "prefs.sale": "sale or sharing",
        "prefs.services": "Services and cookies",
        "prefs.cookies": "Cookies",
        "prefs.storage": "Local storage",
        "embed.text": "Not loaded: loading it sends information about your visit to {vendor}.",
        "embed.once": "Load once",
        "embed.allow": "Always allow {service}",
        "age.question": "Please tell us your month and year of birth.",
        "age.year": "Year of birth",
        "age.month": "Month of birth (1-12)",
        "age.submit": "Continue",
        "age.invalid": "Please check the year and month.",
        "parent.text": "Some features need the permission of a parent or guardian. "
                       "Enter their e-mail address and we will ask them.",
        "parent.email": "Parent's or guardian's e-mail address",
        "parent.submit": "Ask for permission",
        "parent.sent": "We have sent the request.",
        "parent.unavailable": "This is not available yet.",
        "parent.pending": "We have asked your parent or guardian. Until they answer, everything optional stays off.",
        "parent.denied": "Your parent or guardian has not allowed this site to collect optional information "
                         "about you. Everything optional stays off.",
        "minor.opt_in": "Allow the sale or sharing of my personal information",
        "minor.confirm": "You allowed the sale or sharing of your personal information. "
                         "You can opt out at any time: use the \"Do Not Sell or Share My Personal Information\" "
                         "link at the bottom of every page, or untick it in \"Privacy choices\".",
        "confirm.title": "Please confirm your choice",
        "confirm.text": "You asked to allow the sale or sharing of your personal information for the purposes "
                        "below. Nothing changes until you confirm.",
        "confirm.teen": "If you confirm, you can opt out later at any time: use the \"Do Not Sell or Share My "
                        "Personal Information\" link at the bottom of every page, or untick it in \"Privacy "
                        "choices\".",
        "action.confirm": "Confirm",
        "action.cancel": "Cancel",
        "saved": "Your choices were saved.",
        "error": "Something went wrong. Please try again.",
        "notice.unsupported": "Your browser cannot show our privacy choices. You can make them here:",
        "page.back": "Back to the site",
        "page.reject_all": "Reject all and save",
        "page.accept_all": "Accept all and save",
        "page.minor_note": "If you allow sale or sharing, you can opt out at any time.",
        "page.forbidden": "This form has expired. Please open the page again and retry.",
        "dns.text": "We may sell or share personal information for advertising. Use the button to opt out. "
                    "You need no account and we ask for nothing else.",
        "dns.button": "Opt out of sale and sharing",
        "dns.none": "This site does not sell or share personal information.",
        "dns.opt_in": "We sell or share personal information only with your consent, and you have not given it.",
        "limit": "Limit the Use of My Sensitive Personal Information",
        "limit.text": "We use sensitive personal information, such as information about your health, for the "
                      "purposes our privacy policy describes. Use the button to limit its use to what providing "
                      "the services you ask for needs. You need no account and we ask for nothing else.",
        "limit.button": "Limit the use of my sensitive personal information",
        "limit.done": "Your request to limit the use of your sensitive personal information is in effect.",
        "limit.none": "This site uses no sensitive personal information beyond what providing its services needs.",
    },
    "es": {
        "banner.title": "Sus opciones de privacidad",
        "banner.opt_in": "Queremos usar cookies y tecnologías similares para los fines indicados. "
                         "Las opcionales siguen desactivadas si no las acepta. Puede cambiar de opinión "
                         "en cualquier momento.",
        "banner.opt_out": "Usamos cookies y tecnologías similares, algunas para vender o compartir información "
                          "personal con fines publicitarios. Puede rechazarlas ahora o en cualquier momento.",
        "banner.kept": "Su exclusión de la venta o el intercambio de su información personal sigue vigente.",
        "banner.changed": "Novedades desde su última elección, desactivadas hasta que vuelva a elegir:",
        "notice.pi": "Lo que recogemos con ellas: identificadores (de cookies y dispositivos) y actividad en "
                     "internet (páginas vistas, clics, el navegador y su configuración), para estos fines:",
        "notice.privacy": "Política de privacidad",
        "notice.sold": "se vende o se comparte",
        "notice.kept": "Se conserva hasta {duration}.",
        "gpc.honored": "Solicitud de exclusión atendida",
        "action.accept": "Aceptar todo",
        "action.reject": "Rechazar todo",
        "action.preferences": "Elegir",
        "action.close": "Cerrar",
        "action.open": "Opciones de privacidad",
        "action.save": "Guardar",
        "dns": "No vender ni compartir mi información personal",
        "prefs.title": "Preferencias de privacidad",
        "prefs.text": "Elija qué podemos usar. Las cookies necesarias hacen funcionar el sitio y siempre "
                      "están activas.",
        "prefs.required": "siempre activas",
        "prefs.sale": "venta o intercambio",
        "prefs.services": "Servicios y cookies",
        "prefs.cookies": "Cookies",
        "prefs.storage": "Almacenamiento local",
        "embed.text": "No se ha cargado: al cargarlo se envía información sobre su visita a {vendor}.",
        "embed.once": "Cargar una vez",
        "embed.allow": "Permitir siempre {service}",
        "age.question": "Indíquenos su mes y año de nacimiento.",
        "age.year": "Año de nacimiento",
        "age.month": "Mes de nacimiento (1-12)",
        "age.submit": "Continuar",
        "age.invalid": "Revise el año y el mes.",
        "parent.text": "Algunas funciones necesitan el permiso de su madre, padre o tutor. "
                       "Escriba su correo electrónico y se lo pediremos.",
        "parent.email": "Correo electrónico de su madre, padre o tutor",
        "parent.submit": "Pedir permiso",
        "parent.sent": "Hemos enviado la solicitud.",
        "parent.unavailable": "Esto aún no está disponible.",
        "parent.pending": "Hemos preguntado a tu madre, padre o tutor. Hasta que responda, todo lo opcional "
                          "sigue desactivado.",
        "parent.denied": "Tu madre, padre o tutor no ha permitido que este sitio recoja información opcional "
                         "sobre ti. Todo lo opcional sigue desactivado.",
        "minor.opt_in": "Permitir la venta o el intercambio de mi información personal",
        "minor.confirm": "Ha permitido la venta o el intercambio de su información personal. "
                         "Puede excluirse en cualquier momento: use el enlace \"No vender ni compartir mi "
                         "información personal\" al pie de cada página, o desmárquelo en \"Opciones de privacidad\".",
        "confirm.title": "Confirme su elección",
        "confirm.text": "Ha pedido permitir la venta o el intercambio de su información personal para los fines "
                        "indicados. Nada cambia hasta que lo confirme.",
        "confirm.teen": "Si lo confirma, podrá excluirse más adelante en cualquier momento: use el enlace \"No "
                        "vender ni compartir mi información personal\" al pie de cada página, o desmárquelo en "
                        "\"Opciones de privacidad\".",
        "action.confirm": "Confirmar",
        "action.cancel": "Cancelar",
        "saved": "Se guardaron sus opciones.",
        "error": "Algo salió mal. Inténtelo de nuevo.",
        "notice.unsupported": "Su navegador no puede mostrar nuestras opciones de privacidad. Puede elegirlas aquí:",
        "page.back": "Volver al sitio",
        "page.reject_all": "Rechazar todo y guardar",
        "page.accept_all": "Aceptar todo y guardar",
        "page.minor_note": "Si permite la venta o el intercambio, puede excluirse en cualquier momento.",
        "page.forbidden": "Este formulario ha caducado. Abra la página de nuevo y vuelva a intentarlo.",
        "dns.text": "Podemos vender o compartir información personal con fines publicitarios. Use el botón para "
                    "excluirse. No necesita una cuenta y no le pedimos nada más.",
        "dns.button": "Excluirme de la venta y el intercambio",
        "dns.none": "Este sitio no vende ni comparte información personal.",
        "dns.opt_in": "Solo vendemos o compartimos información personal con su consentimiento, y no lo ha dado.",
        "limit": "Limitar el uso de mi información personal confidencial",
        "limit.text": "Usamos información personal confidencial, como información sobre su salud, para los fines "
                      "que describe nuestra política de privacidad. Use el botón para limitar su uso a lo que "
                      "necesitan los servicios que usted pide. No necesita una cuenta y no le pedimos nada más.",
        "limit.button": "Limitar el uso de mi información personal confidencial",
        "limit.done": "Su solicitud de limitar el uso de su información personal confidencial está en vigor.",
        "limit.none": "Este sitio no usa información personal confidencial más allá de lo que necesitan sus servicios.",
    },
}

# Every built-in language; a key a table lacks falls back to English (``texts``).
DEFAULT_TEXTS: Mapping[str, Mapping[str, str]] = {**_TEXTS, **MORE_TEXTS}


def languages(overrides: Iterable[str]) -> tuple[str, ...]:
    """The languages on offer: ours, then any the policy adds (lower-cased): the
    languages of its ``texts`` (a mapping's keys) or any other language codes."""
    extra = sorted({lang.lower() for lang in overrides} - set(DEFAULT_TEXTS))
    return (*DEFAULT_TEXTS, *extra)


def texts(lang: str, overrides: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Every string in ``lang``: our defaults (English for a language we lack),
    then the policy's overrides for that language."""
    lang = lang.lower()
    merged = dict(DEFAULT_TEXTS[DEFAULT_LANGUAGE])
    merged.update(DEFAULT_TEXTS.get(lang, {}))
    for key, value in overrides.items():
        if key.lower() == lang:
            merged.update(value)
    return merged


def negotiate(accept_language: str | None, overrides: Iterable[str], default: str = DEFAULT_LANGUAGE) -> str:
    """The best language on offer for an ``Accept-Language`` header (for the pages);
    ``default`` (the policy's ``language``) when none of the header's is on offer."""
    offered = languages(overrides)
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        ranked.append((-quality, index, tag.strip().lower()))
    for negative_quality, _, tag in sorted(ranked):
        if negative_quality >= 0:
            break
        for candidate in (tag, tag.split("-", 1)[0]):
            if candidate in offered:
                return candidate
    return default
