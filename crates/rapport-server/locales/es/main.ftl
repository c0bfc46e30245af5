# Las palabras de Rapport en español. Las claves nombran el significado; el
# código las escribe con puntos (`nav.home`), que aquí se vuelven guiones (`nav-home`).

app-name = Rapport

## Navegación y marco de la página
nav-main = Principal
nav-home = Inicio
nav-contacts = Contactos
nav-companies = Empresas
nav-leads = Prospectos
nav-deals = Negocios
nav-activities = Actividades
nav-board = Tablero de negocios
nav-search = Búsqueda
nav-skip = Saltar al contenido
nav-menu = Menú
top-search-placeholder = Buscar personas, empresas, negocios…
top-search-label = Buscar
top-new = Nuevo
top-user-menu = Tu cuenta
top-language = Idioma
top-sign-out = Cerrar sesión
top-shortcuts = Atajos de teclado

## Tipos de registro
kind-contacts = Contactos
kind-contacts-one = Contacto
kind-companies = Empresas
kind-companies-one = Empresa
kind-leads = Prospectos
kind-leads-one = Prospecto
kind-deals = Negocios
kind-deals-one = Negocio
kind-activities = Actividades
kind-activities-one = Actividad
kind-gadgets = Gadgets
kind-gadgets-one = Gadget
kind-contacts-empty = Los contactos son las personas a quienes vendes y atiendes: agrega el primero o importa una hoja de cálculo.
kind-companies-empty = Las empresas agrupan los contactos y negocios de un mismo cliente.
kind-leads-empty = Los prospectos son personas o empresas que mostraron interés y aún no están calificadas.
kind-deals-empty = Los negocios son las ventas en las que estás trabajando, etapa por etapa.
kind-activities-empty = Llamadas, reuniones, tareas y notas: todo lo hecho o por hacer con un cliente.
kind-gadgets-empty = Los gadgets solo existen en las pruebas.

## Grupos de campos
group-main = Principal
group-details = Detalles
group-address = Dirección
group-source = Origen
group-schedule = Agenda
group-conversion = Conversión
group-system = Sistema
group-custom = Campos personalizados

## Campos
field-first-name = Nombre
field-last-name = Apellido
field-emails = Correos electrónicos
field-email = Correo electrónico
field-phones = Teléfonos
field-phone = Teléfono
field-company-id = Empresa
field-job-title = Cargo
field-birth-date = Fecha de nacimiento
field-preferred-channel = Canal preferido
field-lifecycle-stage = Etapa del ciclo de vida
field-lifecycle-stage-help = En qué punto de su relación contigo está la persona, de suscriptor a cliente.
field-consents = Consentimientos
field-consents-help = Sobre qué aceptó la persona ser contactada, por canal.
field-street = Calle
field-city = Ciudad
field-state = Estado/Provincia
field-postal-code = Código postal
field-country = País
field-source-channel = Canal de origen
field-source-channel-help = De dónde vino el registro: un formulario web, un evento, una recomendación…
field-source-campaign = Campaña de origen
field-utm-source = Fuente UTM
field-utm-medium = Medio UTM
field-utm-campaign = Campaña UTM
field-name = Nombre
field-domain = Dominio
field-domain-help = El dominio web de la empresa, como acme.com: sirve para reconocer a la misma empresa después.
field-industry = Sector
field-size-band = Tamaño
field-tax-id = Identificación fiscal
field-tax-id-help = CNPJ, CUIT, RUT u otro número nacional de empresa.
field-website = Sitio web
field-parent-company-id = Empresa matriz
field-company-name = Nombre de la empresa
field-disqualified-reason = Motivo de descalificación
field-score = Puntuación
field-score-help = Qué tan probable es que el prospecto compre, de 0 a 100.
field-converted-contact-id = Convertido en contacto
field-converted-company-id = Convertido en empresa
field-converted-deal-id = Convertido en negocio
field-contact-id = Contacto principal
field-contacts = Contactos
field-contacts-help = Otras personas involucradas en el negocio, cada una con un rol.
field-pipeline-id = Embudo
field-stage-id = Etapa
field-amount-minor = Monto
field-currency = Moneda
field-expected-close-date = Cierre previsto
field-probability = Probabilidad (%)
field-probability-help = La define la etapa, salvo que la cambies.
field-probability-overridden = Probabilidad fijada a mano
field-competitor = Competidor
field-lost-reason = Motivo de pérdida
field-status = Estado
field-closed-at = Cerrado el
field-subject = Asunto
field-body = Notas
field-due-at = Vencimiento
field-starts-at = Inicio
field-ends-at = Fin
field-done = Completada
field-outcome = Resultado
field-duration-minutes = Duración (minutos)
field-related = Registros relacionados
field-related-help = Los contactos, empresas y negocios a los que se refiere esta actividad.
field-participants = Participantes
field-reminder-at = Recordatorio
field-reminder-at-help = Recibirás una notificación a esa hora.
field-owner-id = Responsable
field-tags = Etiquetas
field-created-at = Creado
field-updated-at = Actualizado
field-label = Etiqueta
field-serial = Número de serie
field-support-email = Correo de soporte
field-colour = Color
field-weight-grams = Peso (g)
field-made-on = Fabricado el
field-maker-id = Fabricante
field-price = Precio
field-parts = Piezas
field-parts-total = Total de piezas
activity-field-kind = Tipo
lead-field-status = Estado del prospecto
deal-field-amount = Monto
deal-field-status = Estado
deal-field-status-help = Abierto, ganado o perdido: sigue la etapa.

## Valores de los campos de opción
enum-lifecycle-stage-subscriber = Suscriptor
enum-lifecycle-stage-lead = Prospecto
enum-lifecycle-stage-qualified = Calificado
enum-lifecycle-stage-opportunity = Oportunidad
enum-lifecycle-stage-customer = Cliente
enum-lifecycle-stage-evangelist = Evangelizador
enum-lifecycle-stage-other = Otro
enum-preferred-channel-email = Correo electrónico
enum-preferred-channel-phone = Teléfono
enum-preferred-channel-whatsapp = WhatsApp
enum-preferred-channel-sms = SMS
enum-size-band-1-10 = 1–10 personas
enum-size-band-11-50 = 11–50 personas
enum-size-band-51-200 = 51–200 personas
enum-size-band-201-500 = 201–500 personas
enum-size-band-501-1000 = 501–1.000 personas
enum-size-band-1001-5000 = 1.001–5.000 personas
enum-size-band-5001- = Más de 5.000 personas
enum-status-new = Nuevo
enum-status-contacted = Contactado
enum-status-qualified = Calificado
enum-status-disqualified = Descalificado
enum-status-converted = Convertido
enum-status-open = Abierto
enum-status-won = Ganado
enum-status-lost = Perdido
enum-kind-task = Tarea
enum-kind-call = Llamada
enum-kind-meeting = Reunión
enum-kind-email = Correo electrónico
enum-kind-note = Nota
enum-colour-red = Rojo
enum-colour-green = Verde
enum-colour-blue = Azul
value-yes = Sí
value-no = No
value-none = —

## Acciones
action-new = Agregar { $kind }
action-close = Cerrar
palette-title = Paleta de comandos
palette-commands = Ir a y crear
action-save = Guardar
action-cancel = Cancelar
action-edit = Editar
action-delete = Eliminar
action-delete-confirm = ¿Mover este registro a la papelera? Se puede restaurar durante 30 días.
action-load-more = Cargar más
action-filter = Filtrar
action-clear-filters = Limpiar
action-sign-in = Iniciar sesión
action-create-admin = Crear el administrador
action-log = Registrar
action-mark-done = Marcar como completada
action-move = Mover
action-search = Buscar
action-back = Volver
action-keep-mine = Guardar mi versión
action-take-theirs = Descartar la mía y quedarme con la otra
action-open = Abrir

## Listas
list-sort = Ordenar por
list-sort-newest = Más recientes primero
list-sort-oldest = Más antiguos primero
list-sort-ascending = { $field }, de A a Z
list-sort-descending = { $field }, de Z a A
list-filter-field = Campo
list-filter-operator = Condición
list-filter-value = Valor
list-export = Exportar CSV
list-export-vcard = Exportar vCard
list-shown = { $count ->
    [one] Mostrando { $count }
   *[other] Mostrando { $count }
}
list-more-exist = hay más
list-select-row = Seleccionar
list-empty-filtered = Nada coincide con estos filtros.
op-eq = es
op-ne = no es
op-contains = contiene
op-starts-with = empieza con
op-gt = después de / mayor que
op-gte = desde / al menos
op-lt = antes de / menor que
op-lte = hasta / como máximo
op-in = es uno de
op-is-empty = está vacío

## Páginas de registro
record-personal-data = Datos personales (JSON)
record-details = Detalles
record-timeline = Historial
record-related = Relacionados
record-created = Creado el { $when }
record-updated = Actualizado el { $when } por { $who }
record-no-timeline = Aún no ha pasado nada aquí. Registra una llamada o una nota para empezar la historia.
record-conflict-title = Otra persona cambió este registro mientras lo editabas
record-conflict-body = Su versión está abajo, junto a lo que escribiste. Elige cuál conservar.
record-conflict-theirs = Versión de la otra persona
record-conflict-yours = Tus cambios
record-saved = Guardado.
record-deleted = Movido a la papelera.
record-created-ok = Creado.
timeline-change = { $who } cambió { $fields }
timeline-created = { $who } creó este registro
timeline-stage = Movido de { $from } a { $to }
timeline-someone = Alguien
composer-title = Registrar una actividad
composer-subject = ¿Qué pasó?
composer-kind = Tipo
composer-body = Notas
composer-due = Vencimiento (para tareas)
composer-reminder = Recordatorio
related-contacts = Contactos
related-deals = Negocios
related-activities = Actividades
related-none = Ninguno todavía.

## Tablero de negocios
board-title = Tablero de negocios
board-pipeline = Embudo
board-owner = Responsable
board-everyone = Todos
board-mine = Míos
board-count = { $count ->
    [one] { $count } negocio
   *[other] { $count } negocios
}
board-weighted = ponderado { $amount }
board-more = Más negocios
board-lost-reason-title = ¿Por qué se perdió este negocio?
board-lost-reason-label = Motivo de pérdida
board-move-failed = No se pudo mover el negocio: { $reason }
board-conflict = Otra persona cambió este negocio mientras tanto; el tablero se actualizó.
board-move-to = Mover a
board-overdue = Vencido
board-no-amount = Sin monto

## Inicio
home-title = Mi día
home-greeting = Qué bueno verte, { $name }.
home-overdue = Tareas vencidas
home-today = Hoy
home-closing-soon = Mis negocios por cerrar
home-notifications = Notificaciones sin leer
home-nothing-overdue = Nada vencido. ¡Bien hecho!
home-nothing-today = Nada programado para hoy.
home-no-deals = No hay negocios abiertos que cierren en los próximos 30 días.
home-snooze = Mañana
home-no-notifications = Estás al día.
home-recent = Vistos recientemente
home-no-recent = Los registros que abras aparecen aquí.

## Búsqueda
search-title = Búsqueda
search-results = Resultados para “{ $query }”
search-none = No se encontró nada para “{ $query }”.
search-hint = Escribe un nombre, un correo electrónico, un teléfono o una empresa.

## Inicio de sesión
sign-in-title = Inicia sesión en Rapport
sign-in-email = Correo electrónico
sign-in-password = Contraseña
sign-in-failed = El correo electrónico y la contraseña no coinciden. Revísalos e inténtalo de nuevo.
sign-in-throttled = Demasiados intentos. Inténtalo de nuevo en { $seconds } segundos.
sign-in-busy = El servidor está ocupado. Inténtalo de nuevo en un momento.
sign-in-forgot = ¿Olvidaste tu contraseña? Pide a tu administrador que defina una nueva.
sign-in-expired = Tu sesión terminó. Inicia sesión de nuevo para continuar.
setup-title = Te damos la bienvenida a Rapport
setup-intro = Crea la cuenta de administrador. Después podrás invitar a tu equipo.
setup-name = Tu nombre
setup-done = Tu cuenta está lista. Inicia sesión para empezar.
setup-invalid = Este enlace de configuración ya no es válido: ya existe un administrador.

## Errores
error-title = Algo salió mal
error-not-found = Esto no existe o no tienes acceso.
error-forbidden = No tienes permiso para hacer esto.
error-form = Algunos campos necesitan tu atención.
error-internal = Algo salió mal de nuestro lado. Quedó registrado; inténtalo de nuevo en un momento.
error-csrf = Este formulario expiró. Recarga la página e inténtalo de nuevo.
error-required = Completa este campo.
error-too-long = Es demasiado largo.
error-too-short = Es demasiado corto.
error-invalid-email = Escribe un correo electrónico válido, como nombre@empresa.com.
error-invalid-phone = Escribe un teléfono válido, como +54 11 5555-1234.
error-invalid-url = Escribe una dirección web, como https://ejemplo.com.
error-invalid-domain = Escribe un dominio, como ejemplo.com.
error-invalid-date = Escribe una fecha.
error-invalid-datetime = Escribe una fecha y una hora.
error-invalid-number = Escribe un número entero.
error-out-of-range = Este número está fuera del rango permitido.
error-invalid-choice = Elige una de las opciones.
error-invalid-currency = Escribe un código de moneda, como ARS o USD.
error-invalid-country = Escribe un código de país, como AR.
error-assignment-not-allowed = Solo puedes asignar registros a personas de tu equipo.
error-lost-reason-required = Indica por qué se perdió el negocio.
error-invalid-character = Contiene un carácter que no se puede guardar.
error-derived-field = Lo define Rapport.
error-wrong-type = Este valor es de un tipo incorrecto.
error-version-mismatch = Otra persona cambió este registro mientras tanto.
error-duplicate = Esto aparece dos veces; cada uno debe ser distinto.
error-won-lost-required = Un embudo necesita exactamente una etapa de ganado y una de perdido.
error-unknown-reference = Esto se refiere a algo que no existe.
error-stage-in-use = { $count ->
    [one] 1 negocio (contando la papelera) está en la etapa "{ $stage }": muévelo a otra etapa antes de quitarla.
   *[other] { $count } negocios (contando la papelera) están en la etapa "{ $stage }": muévelos a otra etapa antes de quitarla.
}
error-stage-kind-in-use = { $count ->
    [one] 1 negocio está en la etapa "{ $stage }": muévelo antes de convertirla en etapa de ganado, de perdido o abierta.
   *[other] { $count } negocios están en la etapa "{ $stage }": muévelos antes de convertirla en etapa de ganado, de perdido o abierta.
}

## Perfil
profile-title = Tu perfil
profile-preferences = Idioma y zona horaria
profile-time-zone = Zona horaria
profile-password = Contraseña
profile-current-password = Contraseña actual
profile-new-password = Nueva contraseña (al menos 10 caracteres)
profile-keep-tokens = Mantener mis tokens de API activos
profile-change-password = Cambiar contraseña
profile-wrong-password = La contraseña actual no es correcta.
profile-password-changed = Tu contraseña cambió. Inicia sesión con la nueva.
profile-tokens = Tokens de API
profile-tokens-hint = Los tokens permiten que otros programas usen la API de Rapport en tu nombre. Revoca los que ya no uses.
profile-token-once = Copia este token ahora: solo se muestra una vez.
profile-token-name = Nombre
profile-token-scope = Acceso
profile-scope-read = Solo lectura
profile-scope-read-write = Lectura y escritura
profile-create-token = Crear token
profile-last-used = Último uso
profile-revoke = Revocar
profile-revoked = Revocado
profile-name-title = Tu nombre

## Configuración
nav-settings = Configuración
settings-title = Configuración
settings-people = Usuarios y equipos
settings-records = Registros
settings-pipelines = Embudos
settings-trash = Papelera
settings-users = Usuarios
settings-role = Rol
settings-teams = Equipos
settings-status = Estado
settings-enable = Reactivar
settings-disable = Desactivar
settings-new-user = Invitar a un usuario
settings-first-password = Primera contraseña (la cambia después)
settings-add-user = Agregar usuario
settings-add-member = Agregar al equipo
settings-new-team = Nuevo equipo
settings-add-team = Agregar equipo
settings-visibility = Quién ve qué registros
settings-visibility-hint = Privado: el responsable, los gerentes de su equipo y los administradores. Equipo: todo el equipo del responsable. Todos: cualquier usuario.
settings-visibility-everyone = Todos
settings-visibility-team = El equipo del responsable
settings-visibility-private = Privado del responsable
settings-custom-fields = Campos personalizados
settings-new-field = Nuevo campo personalizado
settings-record-kind = Para
settings-field-key = Clave (letras, dígitos, _)
settings-field-type = Tipo
settings-field-options = Opciones (para listas, separadas por comas)
settings-add-field = Agregar campo
settings-delete-field-confirm = ¿Eliminar este campo? Los valores quedan en los registros, pero ya no se muestran.
settings-new-pipeline = Nuevo embudo
settings-stages = Etapas
settings-stages-help = Una por línea: nombre, dos puntos y la probabilidad de ganar; agrega "won" o "lost" en las etapas de cierre. Ejemplo: Propuesta: 50
settings-add-pipeline = Agregar embudo
settings-trash-empty = La papelera está vacía.
settings-new-password = Nueva contraseña
settings-set-password = Definir
settings-restore = Restaurar
settings-pipeline-name = Nombre del embudo
settings-rename = Cambiar nombre
settings-user-name = Nombre
settings-stage-name = Nombre de la etapa
settings-stage-probability = Probabilidad de ganar (%)
settings-stage-kind = Cierra el negocio como
settings-move-up = Subir
settings-move-down = Bajar
settings-remove-stage = Quitar
settings-remove-stage-confirm = ¿Quitar esta etapa? Solo se puede quitar una etapa sin negocios.
settings-new-stage = Nueva etapa
settings-add-stage = Agregar etapa
pipeline-default-name = Ventas
pipeline-default-stage-0 = Calificación
pipeline-default-stage-1 = Análisis de necesidades
pipeline-default-stage-2 = Propuesta
pipeline-default-stage-3 = Negociación
pipeline-default-stage-4 = Ganado
pipeline-default-stage-5 = Perdido
role-admin = Administrador
role-manager = Gerente
role-member = Miembro
role-read-only = Solo lectura

## Notificaciones
notifications-title = Notificaciones
notification-reminder = Recordatorio: “{ $name }”
notification-lead-assigned = Nuevo lead asignado a ti: “{ $name }”
notification-deal-moved = Tu negocio “{ $name }” se movió a “{ $stage }”
notifications-mark-read = Marcar como leída

## Conversión de prospectos
convert-title = Convertir este prospecto
convert-found-contact = Ya existe un contacto con este correo:
convert-found-company = Se une a la empresa
convert-contact = Contacto
convert-link = Vincularlo
convert-create = Crear uno nuevo
convert-new-contact = Se crea un nuevo contacto a partir de este prospecto.
convert-create-deal = Abrir un negocio
convert-deal-name = Nombre del negocio
convert-action = Convertir

## Atajos de teclado
shortcuts-search = Buscar
shortcuts-palette = Paleta de comandos
shortcuts-create = Crear en esta lista
shortcuts-edit = Editar este registro
shortcuts-rows = Fila siguiente / anterior
shortcuts-board = Mover el negocio enfocado a la etapa siguiente o anterior
shortcuts-help = Estos atajos

## Calendario semanal
calendar-title = Mi semana
calendar-previous = Semana anterior
calendar-next = Semana siguiente
calendar-this-week = Esta semana
calendar-day-0 = Lun
calendar-day-1 = Mar
calendar-day-2 = Mié
calendar-day-3 = Jue
calendar-day-4 = Vie
calendar-day-5 = Sáb
calendar-day-6 = Dom

## Acciones masivas
bulk-action = Con las filas marcadas
bulk-assign = Pasar a
bulk-add-tag = Agregar la etiqueta
bulk-remove-tag = Quitar la etiqueta
bulk-delete = Mover a la papelera
bulk-tag = Etiqueta
bulk-apply = Aplicar
views-title = Vistas
views-all = Todos
views-shared = compartida
views-save = Guardar vista
views-name = Nombre de la vista
views-share = Compartir con el equipo
views-delete = Eliminar vista
columns-title = Columnas
columns-legend = Columnas visibles
columns-apply = Mostrar estas columnas
columns-reset = Columnas predeterminadas
bulk-set-field = Establecer un campo
bulk-field = Campo
bulk-value = Nuevo valor
bulk-done = { $changed ->
    [one] Un registro modificado
   *[other] { $changed } registros modificados
}{ $refused ->
    [0] .
   *[other] ; { $refused } que no puedes modificar quedaron igual.
}

## imports
imports-title = Importaciones
imports-lede = Trae tus hojas de cálculo y las exportaciones de tu CRM anterior: revisa cómo se lee cada columna antes de guardar nada.
imports-new = Nueva importación
imports-kind = Registros
imports-file = Archivo
imports-encoding = Codificación
imports-encoding-auto = Detectar (UTF-8 o Windows-1252)
imports-upload = Subir y asignar
imports-upload-hint = CSV con comas o punto y coma, hasta 64 MB. Se reconocen las columnas con los nombres de las exportaciones de HubSpot, Salesforce, Pipedrive o Google Contactos.
imports-history = Tus importaciones
imports-none = Todavía no hay importaciones.
imports-status = Estado
imports-outcome = Resultado
imports-when = Subido el
imports-summary = { $rows } filas: { $created } creadas, { $skipped } omitidas, { $rejected } rechazadas
imports-status-draft = En asignación
imports-status-queued = En espera
imports-status-running = Importando
imports-status-done = Terminada
imports-status-cancelled = Cancelada
imports-status-failed = Falló
imports-status-undone = Deshecha
imports-too-large = El archivo supera los { $size } MB: divídelo e importa las partes.
imports-no-file = Elige un archivo para importar.
imports-import-started = Esta importación ya empezó: su asignación ya no puede cambiar.
imports-import-changed = Esta importación cambió mientras tanto. Recarga la página.
imports-import-finished = Esta importación terminó: deshazla en su lugar.
imports-import-undone = Esta importación ya se deshizo.
imports-import-unfinished = Esta importación sigue en curso: cancélala primero.
imports-import-file-gone = El archivo de esta importación ya no se conserva: súbelo de nuevo.
imports-skip-column = No importar
imports-outcome-create = Se creará
imports-outcome-skip = Duplicado
imports-outcome-reject = Con errores
imports-duplicate = Ya está guardado, o repite una fila anterior: se omitirá.
imports-left-rejected = rechazada
imports-left-skipped = omitida por duplicada
imports-decimal-comma = 1.234,56 (coma decimal)
imports-decimal-point = 1,234.56 (punto decimal)
imports-dates-day-first = Día primero (31/12/2026)
imports-dates-month-first = Mes primero (12/31/2026)
imports-dates-year-first = Año primero (2026/12/31)
imports-duplicates-skip = Omitir filas ya guardadas
imports-duplicates-create = Importarlas como registros nuevos
imports-rows = Filas leídas
imports-created = Creadas
imports-skipped = Omitidas
imports-rejected = Rechazadas
imports-mapping = Columnas
imports-mapping-hint = Elige el campo que llena cada columna. Las columnas en "No importar" quedan fuera.
imports-column = Columna del archivo
imports-samples = Primeros valores
imports-field = Campo
imports-formats = Cómo está escrito el archivo
imports-formats-hint = Deducido de las primeras filas: comprueba que los números y fechas de abajo se lean como esperas.
imports-decimal = Números
imports-dates = Fechas
imports-duplicates = Duplicados
imports-preview = Vista previa
imports-preview-hint = Las primeras 20 filas tal como se importarían, comprobadas con lo que ya está guardado. Aún no se guardó nada.
imports-line = Línea
imports-problem = Qué corregir
imports-update-preview = Actualizar vista previa
imports-start = Iniciar importación
imports-progress = Progreso
imports-failed = La importación se detuvo:
imports-cancelling = Deteniendo después del lote que se está guardando…
imports-cancel = Cancelar importación
imports-running-hint = Puedes salir de esta página: la importación sigue, y cada lote se guarda entero o no se guarda.
imports-open-list = Abrir la lista
imports-download-report = Descargar las filas que quedaron fuera
imports-undo = Deshacer importación
imports-undo-confirm = ¿Mover a la papelera todos los registros que creó esta importación?
imports-left-out = Filas que quedaron fuera
list-import = Importar

# Duplicates and merge
dup-reason-email = mismo correo
dup-reason-phone = mismo teléfono
dup-reason-domain = mismo dominio
dup-reason-tax-id = mismo NIF/RFC
dup-reason-name = nombre parecido
dup-review-title = Posibles duplicados: { $kind }
dup-review-scan = Buscar ahora
dup-review-scan-queued = Se programó una búsqueda: la lista se completa mientras corre.
dup-review-help = Pares que parecen ser el mismo registro, hallados por una búsqueda en todos los registros (cada noche, tras cada importación o cuando la pides). Combínalos o marca que no son duplicados.
dup-review-empty = No se hallaron posibles duplicados. Cada noche corre una búsqueda; "Buscar ahora" corre una antes.
dup-review-record = Registro
dup-review-other = Se parece a
dup-score = Puntuación
dup-reasons = Por qué
dup-review-actions = Acciones
dup-review-link = Duplicados
dup-merge-action = Combinar
dup-dismiss = No es duplicado
dup-merge-title = Combinar dos registros
dup-merge-help = Elige el registro que queda y, para cada campo distinto, el valor que conserva. El otro registro va a la papelera.
dup-merge-field = Campo
dup-merge-survivor = Registro que queda
dup-merge-keep-this = Conservar este
dup-merge-joined = se conservan ambos
dup-merge-same = Campos con el mismo valor
dup-merge-moves = Actividades, negocios, notas y vínculos del registro combinado pasan al que queda. Puedes deshacer la combinación.
dup-merged-notice = Registros combinados.
dup-undo = Deshacer
dup-unmerged-notice = Se deshizo la combinación: ambos registros volvieron a como estaban.
dup-created-warning = Guardado. Este registro se parece a registros que ya tienes: mira "Posibles duplicados".
dup-panel-title = Posibles duplicados
dup-convert-candidates = Posibles duplicados de lo que se creará:
dup-timeline-merged = { $who } combinó duplicados en este registro, o este registro en otro
