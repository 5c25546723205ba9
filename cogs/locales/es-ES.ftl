# Español (es-ES; también para es-419). Las mismas claves y parámetros que en-US.ftl; «FLUX Kontext», «pro» y «max»
# se mantienen.

## Comandos, opciones y opciones de lista

cmd-imagine = imaginar
cmd-imagine-desc = Convierte una descripción en una imagen con FLUX Kontext.
opt-imagine-prompt = prompt
opt-imagine-prompt-desc = Qué crear (sé concreto: tema, estilo, luz)
opt-imagine-aspect-ratio = proporción
opt-imagine-aspect-ratio-desc = Forma de la imagen (16:9 por defecto)
opt-imagine-mode = modo
opt-imagine-mode-desc = pro es rápido y más barato; max da la máxima calidad
opt-imagine-format = formato
opt-imagine-format-desc = Formato de archivo del resultado (jpeg por defecto)
opt-imagine-upsample = enriquecer
opt-imagine-upsample-desc = Deja que el modelo enriquezca antes tu prompt
opt-imagine-safety = seguridad
opt-imagine-safety-desc = Moderación: 0 estricta … 2 equilibrada (por defecto: lo máximo que permite este canal)
cmd-edit = editar
cmd-edit-desc = Cambia una imagen con una instrucción, usando FLUX Kontext.
opt-edit-image = imagen
opt-edit-image-desc = La imagen que cambiar (JPEG, PNG o WebP, hasta 10 MB)
opt-edit-prompt = prompt
opt-edit-prompt-desc = Qué cambiar, p. ej. «hazlo de noche, mantén todo lo demás»
opt-edit-aspect-ratio = { opt-imagine-aspect-ratio }
opt-edit-aspect-ratio-desc = Forma del resultado (por defecto: la más parecida a tu imagen)
opt-edit-mode = { opt-imagine-mode }
opt-edit-mode-desc = { opt-imagine-mode-desc }
opt-edit-format = { opt-imagine-format }
opt-edit-format-desc = { opt-imagine-format-desc }
opt-edit-upsample = { opt-imagine-upsample }
opt-edit-upsample-desc = { opt-imagine-upsample-desc }
opt-edit-safety = { opt-imagine-safety }
opt-edit-safety-desc = { opt-imagine-safety-desc }
choice-0 = 0 · estricta
choice-1 = 1 · moderada
choice-2 = 2 · equilibrada
menu-edit-image = Editar imagen
cmd-help = ayuda
cmd-help-desc = Qué hace este bot, sus comandos, consejos de prompt, tu cuota y los precios.
cmd-history = historial
cmd-history-desc = Tus últimas imágenes en este servidor, las más recientes primero, con enlace a cada una.
opt-history-member = miembro
opt-history-member-desc = De quién son las imágenes (solo Gestionar servidor); las tuyas si está vacío
cmd-show = mostrar
cmd-show-desc = Vuelve a mostrar una de tus imágenes, en privado, con sus botones Repetir, Editar y Eliminar.
opt-show-job = trabajo
opt-show-job-desc = El id del trabajo: en la última línea de la imagen, o en /historial
cmd-quota = cuota
cmd-quota-desc = Mira cuántas imágenes te quedan hoy y el presupuesto de este servidor.
cmd-usage = consumo
cmd-usage-desc = El gasto en imágenes de este servidor, los miembros más activos, fallos y reembolsos.
cmd-settings = ajustes
cmd-settings-desc = Límites de imágenes de este servidor
cmd-settings-show = mostrar
cmd-settings-show-desc = Muestra los ajustes de imágenes de este servidor.
cmd-settings-daily-limit = límite-diario
cmd-settings-daily-limit-desc = Define cuántas imágenes puede crear cada miembro al día.
opt-settings-daily-limit-images = imágenes
opt-settings-daily-limit-images-desc = Imágenes por miembro y día (0 desactiva la generación); vacío: el valor por defecto
cmd-settings-daily-cap = tope-diario
cmd-settings-daily-cap-desc = Limita el gasto en imágenes de este servidor por día (UTC).
opt-settings-daily-cap-amount = importe
opt-settings-daily-cap-amount-desc = Gasto máximo por día en USD, p. ej. 5 o 12.50; «none» quita el tope
cmd-settings-monthly-cap = tope-mensual
cmd-settings-monthly-cap-desc = Limita el gasto en imágenes de este servidor por mes (UTC).
opt-settings-monthly-cap-amount = importe
opt-settings-monthly-cap-amount-desc = Gasto máximo por mes en USD, p. ej. 50; «none» quita el tope
cmd-settings-max-mode = modo-max
cmd-settings-max-mode-desc = Permite o prohíbe el modo max en este servidor.
opt-settings-max-mode-allowed = permitido
opt-settings-max-mode-allowed-desc = Si los miembros pueden usar el modo max (el doble del precio de pro)
cmd-settings-cooldown = espera
cmd-settings-cooldown-desc = Define una espera entre las peticiones de un mismo miembro.
opt-settings-cooldown-seconds = segundos
opt-settings-cooldown-seconds-desc = Segundos que un miembro debe esperar entre peticiones (0: ninguna)
cmd-settings-concurrent = simultáneas
cmd-settings-concurrent-desc = Define cuántas imágenes puede tener un miembro en curso a la vez.
opt-settings-concurrent-jobs = trabajos
opt-settings-concurrent-jobs-desc = Imágenes en curso a la vez por miembro; vacío: el valor por defecto
cmd-settings-channels = canales
cmd-settings-channels-desc = Elige los canales donde se puede usar el bot.
opt-settings-channels-action = acción
opt-settings-channels-action-desc = permitir o prohibir un canal, o dejar que el bot funcione en todas partes
opt-settings-channels-channel = canal
opt-settings-channels-channel-desc = El canal
choice-allow = permitir
choice-disallow = prohibir
choice-everywhere = en todas partes
cmd-settings-watermark = marca-de-agua
cmd-settings-watermark-desc = Añade una marca de agua a las imágenes de este servidor, o quítala.
opt-settings-watermark-text = texto
opt-settings-watermark-text-desc = Texto que el servicio añade a las imágenes de este servidor; vacío para quitarlo
cmd-settings-role = rol
cmd-settings-role-desc = Da a un rol su propio límite diario (los miembros obtienen el mejor), o quítalo.
opt-settings-role-role = rol
opt-settings-role-role-desc = El rol
opt-settings-role-limit = límite
opt-settings-role-limit-desc = Imágenes por día para sus miembros: un número, «unlimited» o «clear»
cmd-settings-reset = reiniciar
cmd-settings-reset-desc = Pone a cero el contador de imágenes de hoy de un miembro.
opt-settings-reset-member = miembro
opt-settings-reset-member-desc = El miembro cuyas imágenes de hoy se olvidan (lo gastado sigue gastado)

## Progreso

progress-imagine = Imaginando
progress-edit = Editando
progress-queued = ⏳ En cola
progress-submitting = 📨 Enviando al servicio de imágenes
progress-pending = 🕒 Esperando al modelo
progress-processing = 🎨 Generando
progress-finished = 📥 Descargando la imagen
progress-delivering = 📤 Subiendo
progress-in-line = { $state } — puesto { $position } en la cola
progress-ready = { $state } · lista { $when }
progress-late = { $state } · está tardando más de lo habitual

## Tarjetas de resultado

card-closest-ratio = { $ratio } (la más parecida a la imagen original)
card-watermark = marca de agua «{ $text }»
card-no-watermark = sin marca de agua
card-upsampling-on = enriquecimiento activado
card-upsampling-off = enriquecimiento desactivado
card-safety = seguridad { $level } ({ $name })
safety-0 = estricta
safety-1 = moderada
safety-2 = equilibrada
card-translation-on = traducción activada
card-translation-off = traducción desactivada
card-facts = ⏱️ { $seconds } s · 💵 { $cost } · pedida por <@{ $user }>
card-edited-from = editada a partir de [esta imagen]({ $url })
card-job = Trabajo { $job }
card-task = tarea { $task }
card-too-large = La imagen es demasiado grande para subirla aquí incluso reducida, así que aquí tienes un enlace (caduca al cabo de un tiempo): { $url }
card-reencoded = Recodificada para ajustarse al límite de subida de este canal
card-shown-facts = 💵 { $cost } · creada { $when } · pedida por <@{ $user }>
card-original = [el mensaje original]({ $url })
card-shown-only-to-you = solo visible para ti

## Fallos

fail-title = No se pudo crear esta imagen
fail-declined = El servicio de imágenes rechazó esta petición.
fail-not-charged = **No se te ha cobrado** esta imagen: no cuenta para tus límites.
fail-prompt = Prompt
fail-footer = Trabajo { $job }
fail-unknown = Algo salió mal por mi parte al crear esta imagen.
fail-plain = { $mention } No se pudo crear esta imagen (trabajo { $job }).
fail-plain-not-charged = { $mention } No se pudo crear esta imagen (trabajo { $job }). No se te ha cobrado.
refusal-private-intro = Solo tú puedes ver esto. El servicio de imágenes rechazó tu petición (trabajo { $job }).
refusal-private-outro = El mensaje del canal solo dice que fue rechazada.

## Botones y ventanas

button-reroll = Repetir
button-edit = Editar
button-delete = Eliminar
button-retry = Reintentar
button-dismiss = Descartar
button-newer = Más recientes
button-older = Más antiguas
modal-edit-title = Editar esta imagen
modal-menu-title = Editar imagen
modal-what-changes = ¿Qué debe cambiar?
modal-which-image = ¿Qué imagen?
modal-edit-placeholder = p. ej. hazlo de noche, mantén todo lo demás igual
modal-menu-placeholder = p. ej. cambia el texto del cartel por «ABIERTO»
button-no-record = Ya no tengo el registro de esta imagen, así que no puedo hacer eso. Crea una nueva con /imaginar.
button-delete-refused = Solo <@{ $user }> o los miembros con **Gestionar mensajes** pueden eliminar esta imagen.
button-dismiss-refused = Solo <@{ $user }> o los miembros con **Gestionar mensajes** pueden descartar este mensaje.
edit-no-image = Este resultado ya no tiene ninguna imagen adjunta, así que no hay nada que editar.
result-no-record = No tengo registro de dónde se publicó esta imagen, así que no puedo usarla.
result-deleted = El mensaje con esta imagen se eliminó, así que ya no puedo usarla.
result-unreadable = Ya no puedo leer el canal donde se publicó esta imagen, así que no puedo usarla.
error-menu-no-image = No veo ninguna imagen en ese mensaje. Usa **Editar imagen** en un mensaje con una imagen adjunta o enlazada, o usa `/editar` para subir una.

## Errores

later = más tarde
not-charged = No se ha cobrado nada.
quota-disabled = La generación de imágenes está desactivada para ti en este servidor. Un admin del servidor puede cambiarlo en `/ajustes`.
quota-channel = No creo imágenes en este canal. Prueba en { $channels }.
quota-channel-nowhere = Aquí no creo imágenes.
quota-max-mode = Este servidor no permite el modo **max**. Elige **pro** en su lugar.
quota-cooldown = Espera un poco entre peticiones: podrás volver a pedir { $when }.
quota-concurrency = { $used ->
        [one] Ya tienes 1 imagen en curso
       *[other] Ya tienes { $used } imágenes en curso
    } (el límite es { $limit } a la vez). Espera a que termine una.
quota-user-daily = { $limit ->
        [one] Ya has usado tu imagen de hoy en este servidor. Podrás crear más { $when }.
       *[other] Ya has usado tus { $limit } imágenes de hoy en este servidor. Podrás crear más { $when }.
    }
quota-global-daily = El bot ha alcanzado el presupuesto de gasto diario de su propietario. Se reinicia { $when }.
quota-guild-daily-reached = Este servidor ha alcanzado su presupuesto diario de imágenes de { $cap } ({ $used } gastados). El presupuesto se reinicia { $when }.
quota-guild-monthly-reached = Este servidor ha alcanzado su presupuesto mensual de imágenes de { $cap } ({ $used } gastados). El presupuesto se reinicia { $when }.
quota-guild-daily-left = Este servidor ha usado { $used } de su presupuesto diario de imágenes de { $cap }; quedan { $left } y esta imagen cuesta { $needed }. El presupuesto se reinicia { $when }.
quota-guild-monthly-left = Este servidor ha usado { $used } de su presupuesto mensual de imágenes de { $cap }; quedan { $left } y esta imagen cuesta { $needed }. El presupuesto se reinicia { $when }.
family-content-policy = El servicio de imágenes lo rechazó según su política de contenido. Prueba a reformular el prompt.
family-input-image = El servicio de imágenes no pudo usar la imagen original: debe ser un JPEG, PNG o WebP de menos de 10 MB que pueda descargar.
family-prompt = El servicio de imágenes no pudo usar este prompt (demasiado largo, o no lo entendió). Prueba a reformularlo.
family-timeout = El servicio de imágenes tardó demasiado y abandonó esta imagen. Inténtalo de nuevo.
family-model-unavailable = El modelo no está disponible en este momento. Inténtalo de nuevo en unos minutos.
family-out-of-credits = La cuenta del bot en el servicio de imágenes se ha quedado sin créditos. Avisa al propietario del bot.
family-unknown = El servicio de imágenes no pudo crear esta imagen.
service-said = El servicio dijo: «{ $words }»
task-line = Tarea { $task }
error-breaker = El servicio de imágenes está fallando ahora mismo, así que no envío peticiones nuevas durante un momento. Inténtalo de nuevo { $when }.
error-already-starting = Ya estoy en ello: esa petición se está procesando ahora mismo.
error-storage = No estoy disponible temporalmente: no puedo acceder a mi base de datos. Inténtalo de nuevo en un minuto.
error-shutting-down = Me estoy reiniciando ahora mismo. Inténtalo de nuevo en unos segundos.
error-submit-interrupted = Me reinicié mientras enviaba esta petición al servicio de imágenes. Para asegurarme de que nunca se te cobre dos veces, no la he vuelto a enviar. Lánzala de nuevo, por favor.
error-timed-out = La imagen no estaba lista después de { $minutes ->
        [0] { $seconds ->
            [one] { $seconds } segundo
           *[other] { $seconds } segundos
        }
        [one] 1 minuto
       *[other] { $minutes } minutos
    }, así que dejé de esperar. Puede que el servicio de imágenes esté saturado; inténtalo de nuevo dentro de un rato.
error-bot-missing-permissions = No puedo hacer eso aquí: necesito el permiso { $permissions } en este canal.
error-missing-permissions = Necesitas el permiso { $permissions } para hacer eso.
error-no-private-message = Este comando funciona en servidores, no en mensajes directos.
error-cooldown = Más despacio: inténtalo de nuevo { $when }.
error-check-failure = No puedes usar este comando aquí.
error-api-key = El servicio de imágenes rechazó la clave de API del bot. Avisa al propietario del bot.
error-rate-limited = El servicio de imágenes está ocupado ahora mismo (límite de peticiones). Inténtalo de nuevo en un minuto.
error-server = El servicio de imágenes tiene problemas (error { $status }). Inténtalo de nuevo en breve.
error-api-timeout = El servicio de imágenes no respondió a tiempo. Inténtalo de nuevo en breve.
error-api-connection = No pude contactar con el servicio de imágenes. Inténtalo de nuevo en breve.
error-malformed = El servicio de imágenes envió una respuesta que no pude leer. Inténtalo de nuevo en breve.
error-download-too-large = La imagen terminada era más grande de lo que estoy dispuesto a descargar.
error-image-too-large = El servicio de imágenes devolvió una imagen mucho más grande de lo que nunca crea, así que no la abrí. Inténtalo de nuevo.
error-image-too-large-size = El servicio de imágenes devolvió una imagen mucho más grande de lo que nunca crea ({ $width } x { $height } píxeles), así que no la abrí. Inténtalo de nuevo.
error-not-an-image = El servicio de imágenes devolvió algo que no es una imagen JPEG, PNG o WebP, así que no la publiqué.
error-api-status = El servicio de imágenes rechazó la petición (error { $status }): { $reason }
error-api-status-no-reason = sin motivo indicado
error-api-other = Algo salió mal al hablar con el servicio de imágenes. Inténtalo de nuevo.
error-unhandled = Algo salió mal por mi parte. Si sigue pasando, avisa al propietario del bot: ref. `{ $ref }`.
error-unhandled-short = Algo salió mal por mi parte. Inténtalo de nuevo.
permission-send-messages = Enviar mensajes
permission-attach-files = Adjuntar archivos
permission-embed-links = Insertar enlaces
permission-read-message-history = Leer el historial de mensajes
permission-view-channel = Ver canal
permission-manage-guild = Gestionar servidor
permission-manage-messages = Gestionar mensajes

## Respuestas a menciones

mention-how-to = Dime qué hacer después de la mención. Responde a un mensaje con una imagen y escribe, por ejemplo, **@{ $name } hazlo de noche, mantén todo lo demás**, o adjunta una imagen a tu mensaje. Sin imagen, creo una nueva a partir de tus palabras. También están `/imaginar`, `/editar` y **Aplicaciones → Editar imagen** en cualquier mensaje.
mention-hidden = Discord no me deja ver la imagen de ese mensaje porque no me menciona. Usa **Aplicaciones → Editar imagen** sobre él (clic derecho o mantén pulsado el mensaje), adjunta la imagen a tu mensaje o responde a una de mis propias imágenes. (El propietario del bot también puede activar el intent Message Content.)
mention-missing-permissions = Necesito el permiso { $permissions } en este canal para crear imágenes aquí.
mention-reply-unseen = No puedo ver el mensaje al que respondiste: se eliminó o está en un lugar que no puedo leer. Adjunta la imagen a tu mensaje o usa `/editar`.

## Ayuda y bienvenida

help-title = FLUX Kontext: ayuda
help-about = Creo y modifico imágenes con el modelo **FLUX Kontext** de Black Forest Labs: describe una imagen y la dibujo, o muéstrame una imagen y dime qué cambiar. Las ediciones se encadenan: edita un resultado una y otra vez sin que se desvíe.
help-commands-title = Comandos
help-commands =
    `/imaginar prompt` · crear una imagen (opciones: proporción, modo, formato, enriquecimiento, seguridad, cantidad: hasta 4)
    `/editar imagen prompt` · cambiar una imagen que subas
    { "**" }@{ $name } instrucción** como respuesta a una imagen · editar esa imagen (sin imagen: crear una)
    { "**" }Aplicaciones → Editar imagen** en cualquier mensaje · editar una imagen de él
    { "**" }Repetir** · **Editar** · **Eliminar** en cada resultado · otra vez, seguir editando, quitarlo
    `/historial` · tus últimas imágenes aquí, con enlaces · `/mostrar trabajo` · una otra vez, con sus botones
    `/cuota` · tus imágenes restantes hoy · `/ayuda` · esto
    Admins del servidor (Gestionar servidor): `/ajustes` para límites y topes, `/consumo` para el gasto
help-tips-title = Consejos de prompt (de la guía de Black Forest Labs)
help-tips =
    • Sé concreto: tema, estilo, luz, composición.
    • Di qué mantener: *«mantén la misma cara y la misma pose»*.
    • Mejor *cambia* o *sustituye* que *transforma*.
    • Pon el texto exacto entre comillas: *Sustituye 'ABIERTO' por 'CERRADO'*.
    • Divide una edición compleja en pasos, y describe lo que quieres en vez de lo que no quieres.
    • Escribe en cualquier idioma: los prompts se envían tal como los escribes y el servicio de imágenes los traduce.
help-your-images = Tus imágenes
help-prices = Precios
help-price-pro = **pro** { $price } por imagen
help-price-max = **max** { $price } por imagen (máxima calidad)
help-price-max-not-here = **max** { $price } por imagen (máxima calidad): no permitido en este servidor
help-price-who-pays = El propietario del bot paga el servicio de imágenes; una imagen fallida se reembolsa.
help-quota-unlimited = { $used ->
        [one] { $used } imagen
       *[other] { $used } imágenes
    } hoy, sin límite diario.
help-quota = { $used } de { $limit ->
        [one] 1 imagen
       *[other] { $limit } imágenes
    } hoy · **quedan { $left }** · se reinicia { $when }
welcome-title = ¡Gracias por añadirme!
welcome-try-title = Pruébalo
welcome-try = `/imaginar un faro al anochecer, pintura al óleo`, o responde a una imagen con **@{ $name } hazlo de noche**. `/ayuda` lo enumera todo.
welcome-cost-title = Lo que cuestan las imágenes
welcome-limits-title = Límites (admins con Gestionar servidor)
welcome-limits =
    Cada miembro puede crear { $daily ->
        [one] { $daily } imagen
       *[other] { $daily } imágenes
    } al día y tener { $concurrent } en curso a la vez; { $caps }.
    `/ajustes límite-diario` · imágenes por miembro y día (0 desactiva la generación)
    `/ajustes tope-diario` · `/ajustes tope-mensual` · el gasto del servidor en USD
    `/ajustes rol` · el límite diario propio de un rol · `/ajustes modo-max` · permitir max
    `/ajustes canales` · dónde se me puede usar · `/ajustes lote` · imágenes por petición
    `/ajustes menciones` · una mención cuando una imagen está lista · `/ajustes seguridad` · el límite de seguridad
    `/ajustes mostrar` · todo · `/consumo` · el gasto
welcome-no-caps = aún no hay ningún tope de gasto para el servidor
welcome-cap-day = el servidor puede gastar { $day } al día
welcome-cap-month = el servidor puede gastar { $month } al mes
welcome-cap-both = el servidor puede gastar { $day } al día y { $month } al mes

## Cuota, consumo y ajustes

quota-title = Tus imágenes
quota-today = Hoy
quota-unlimited = ilimitado
quota-used-of = { $used } de { $limit }
quota-left = · **quedan { $left }**
quota-resets = Se reinicia { $when }
quota-running = En curso: { $running } de { $max }
quota-server-budget = Presupuesto del servidor
no-cap = sin tope
spend-lines =
    Hoy: **{ $today }** de { $daycap }, se reinicia { $dayreset }
    Este mes: **{ $month }** de { $monthcap }, se reinicia { $monthreset }
usage-title = Consumo de imágenes en este servidor
usage-spend = Gasto
usage-today = Hoy
usage-month = Este mes
usage-leader = <@{ $user }>: { $images ->
        [one] { $images } imagen
       *[other] { $images } imágenes
    }, { $cost }
usage-nobody = nadie todavía
usage-totals =
    Imágenes creadas: { $made } ({ $madecost })
    Fallidas y reembolsadas: { $refunded } ({ $refundedcost })
    En curso: { $running }
    { "**" }Miembros más activos**
    { $leaders }
settings-title = Ajustes de imágenes de este servidor
settings-daily-limit-title = Límite diario de imágenes actualizado
settings-daily-cap-title = Tope de gasto diario actualizado
settings-monthly-cap-title = Tope de gasto mensual actualizado
settings-max-mode-title = Modo max actualizado
settings-cooldown-title = Espera actualizada
settings-concurrent-title = Trabajos simultáneos actualizados
settings-channels-title = Canales actualizados
settings-watermark-title = Marca de agua actualizada
settings-role-title = Límites por rol actualizados
settings-images-per-day = Imágenes por miembro y día
settings-bot-default = (valor por defecto del bot)
settings-generation-off = · generación desactivada
settings-role-tiers = Límites por rol
settings-none = ninguno
settings-spend-caps = Topes de gasto del servidor
settings-caps =
    por día: { $day }
    por mes: { $month }
settings-max-mode = Modo max
settings-allowed = permitido
settings-not-allowed = no permitido
settings-cooldown = Espera
settings-seconds = { $seconds } s
settings-jobs-at-once = Trabajos simultáneos por miembro
settings-channels = Canales
settings-everywhere = en todas partes
settings-watermark = Marca de agua
settings-bad-amount = `{ $text }` no es un importe en dólares estadounidenses: escríbelo como `5` o `12.50`, o `none`.
settings-bad-tier = Dale al rol un número de imágenes por día, `unlimited`, o `clear` para quitar su límite.
settings-pick-channel-allow = Elige el canal que permitir.
settings-pick-channel-disallow = Elige el canal que prohibir.
settings-reset-done = { $member } empieza el día de cero: { $used } usadas.
settings-reset-used = { $limit ->
        [none] { $used ->
            [one] { $used } imagen
           *[other] { $used } imágenes
        }
       *[other] { $used } de { $limit ->
            [one] 1 imagen
           *[other] { $limit } imágenes
        }
    }

## Historial

history-yours = Tus imágenes en este servidor
history-theirs = Imágenes de <@{ $user }> en este servidor
history-page = Página { $page } · las más recientes primero
history-empty-yours = Aún no hay nada: crea una imagen con `/imaginar`.
history-empty-theirs = Aquí no hay imágenes.
history-no-older = No hay imágenes más antiguas.
history-open = abrir
history-show-hint = `/mostrar trabajo:` trae una de vuelta aquí con sus botones.
history-not-your-buttons = Estos botones son de <@{ $user }>. `/historial` muestra tus propias imágenes.
history-manage-server-only = Solo los miembros con **Gestionar servidor** pueden ver las imágenes de otro miembro.
history-manage-server-only-yours = Solo los miembros con **Gestionar servidor** pueden ver las imágenes de otro miembro. `/historial` muestra las tuyas.
show-not-found = No tengo ninguna imagen con el id de trabajo { $job } en este servidor. `/historial` enumera las tuyas.
show-not-yours = Esa imagen es de <@{ $user }>: solo esa persona o los miembros con **Gestionar servidor** pueden mostrarla.
show-not-finished = Este trabajo no tiene imagen que mostrar: falló o aún no ha terminado.

## Peticiones que el servicio de imágenes rechazaría

invalid-prompt-empty = El prompt está vacío: describe la imagen que quieres.
invalid-prompt-too-long = El prompt tiene { $length } caracteres; el límite es { $limit }.
invalid-mode = Modo desconocido: elige uno de { $choices }.
invalid-aspect-ratio = Proporción desconocida: elige una de { $choices }.
invalid-format = Formato desconocido: elige uno de { $choices }.
invalid-safety = El nivel de seguridad debe ser 0 (estricta), 1 (moderada) o 2 (equilibrada).
invalid-image-url = La imagen original debe ser una URL http(s).
invalid-image-empty = { $file } está vacío (0 bytes); adjunta la imagen otra vez.
invalid-image-type = { $file } es { $type }; solo puedo editar imágenes JPEG, PNG y WebP.
invalid-image-type-unknown = { $file } es de un tipo desconocido; solo puedo editar imágenes JPEG, PNG y WebP.
invalid-image-too-big = { $file } ocupa { $megabytes } MB; el servicio de imágenes acepta imágenes de hasta 10 MB.
invalid-image-unreadable = Discord no pudo leer { $file } como imagen: está dañado o no es realmente un { $format }. Guárdalo de nuevo y adjunta el archivo nuevo.
invalid-link-refused = No puedo usar la imagen de ese enlace. Enlaza una imagen JPEG, PNG o WebP de hasta 10 MB que cualquiera pueda abrir, o adjunta el archivo.
settings-refused = Ajuste rechazado: { $reason }
setting-role-limit = El límite diario de un rol debe ser un número entero de 0 a { $max }, o ilimitado.
setting-channels-too-many = Se pueden permitir como máximo { $max } canales; deja la lista vacía para permitirlos todos.

## Lotes, seguridad por canal, uso personal y menciones

opt-imagine-count = cantidad
opt-imagine-count-desc = Cuántas imágenes crear, de 1 a 4 (cada una se cobra; el servidor puede permitir menos)
opt-edit-count = { opt-imagine-count }
opt-edit-count-desc = { opt-imagine-count-desc }
cmd-settings-batch = lote
cmd-settings-batch-desc = Fija cuántas imágenes puede pedir un /imaginar o /editar (cada una se cobra).
opt-settings-batch-images = imágenes
opt-settings-batch-images-desc = Máximo de imágenes por petición (1-4); déjalo vacío para el valor por defecto
cmd-settings-safety = seguridad
cmd-settings-safety-desc = Limita cuán permisiva es la seguridad aquí y en los canales con restricción de edad.
opt-settings-safety-level = nivel
opt-settings-safety-level-desc = El nivel más permisivo que se puede usar aquí; las peticiones más altas se bajan a él
opt-settings-safety-age-restricted = restricción_edad
opt-settings-safety-age-restricted-desc = Permitir el nivel más permisivo (2) solo, y siempre, en canales con restricción de edad
cmd-settings-pings = menciones
cmd-settings-pings-desc = Elige si se menciona a los miembros cuando su imagen está lista.
opt-settings-pings-on = activado
opt-settings-pings-on-desc = Activado: la imagen llega en un mensaje nuevo que menciona a quien la pidió; si no, sin mención
card-safety-lowered = , bajada desde { $level } ({ $name }): lo máximo permitido aquí
progress-imagine-batch = Imaginando { $count } imágenes
progress-edit-batch = Editando { $count } imágenes
progress-done = { $state } · { $done } de { $total } listas
# El mensaje de espera plegado: «✅ <esto> <enlace al resultado> · prompt» (el ✅ y el enlace los añade el bot).
ping-ready = Lista:
batch-facts = 🖼️ { $made } de { $size } imágenes · ⏱️ { $seconds } s · 💵 { $cost } · pedidas por <@{ $user }>
batch-image-failed = ⚠️ **La imagen { $number } ha fallado**: { $reason }
batch-failed-not-charged = { $count ->
        [one] No se te ha cobrado la imagen que ha fallado.
       *[other] No se te han cobrado las { $count } imágenes que han fallado.
    }
batch-image-too-large = La imagen { $number } es demasiado grande para subirla aquí, así que aquí tienes un enlace (caduca al cabo de un tiempo): { $url }
batch-image-alt = Imagen { $number }: { $prompt }
batch-image-gone = La imagen { $number } ya no está en este mensaje, así que no hay nada que editar.
button-reroll-all = Repetir todas
button-edit-n = Editar { $number }
button-reroll-n = Repetir { $number }
invalid-batch-limit = Este servidor permite hasta { $limit ->
        [one] { $limit } imagen
       *[other] { $limit } imágenes
    } por petición; has pedido { $count }. No se ha cobrado nada.
quota-batch-daily = Esta petición es de { $images } imágenes, pero hoy solo te { $remaining ->
        [one] queda { $remaining } imagen
       *[other] quedan { $remaining } imágenes
    } en este servidor (de { $limit }). Pide { $remaining } o menos, o más { $when }.
quota-guild-daily-left-batch = Este servidor ha usado { $used } de su presupuesto diario de imágenes de { $cap }; quedan { $left } y este lote de { $images } imágenes cuesta { $needed }. El presupuesto se reinicia { $when }.
quota-guild-monthly-left-batch = Este servidor ha usado { $used } de su presupuesto mensual de imágenes de { $cap }; quedan { $left } y este lote de { $images } imágenes cuesta { $needed }. El presupuesto se reinicia { $when }.
personal-limit-reached = { $limit ->
        [one] Ya has usado tu imagen personal de hoy
       *[other] Ya has usado tus { $limit } imágenes personales de hoy
    } (fuera de los servidores que me han añadido, cada persona tiene { $limit } al día). Podrás crear más { $when }.
personal-generation-off = El propietario del bot ha desactivado la creación de imágenes fuera de los servidores que han añadido el bot.
personal-long-job = Discord me deja actualizar este mensaje durante 15 minutos. Si tu imagen tarda más, te la enviaré por mensaje directo; si tienes los mensajes directos cerrados, te esperará en `/historial`.
personal-by-dm = Tu imagen (trabajo `{ $job }`) ha tardado más de los 15 minutos que Discord me da para responder donde la pediste, así que aquí la tienes por mensaje directo.
personal-nothing-kept = No puedo recuperar el trabajo `{ $job }`: se mostró donde no puedo leer (un grupo privado o un servidor sin mí) y la copia del servicio de imágenes ha caducado.
dm-help-intro = Creo imágenes con comandos de barra, también aquí: prueba `/imaginar` en este chat. Esto es lo que puedo hacer.
history-yours-personal = Tus imágenes fuera de los servidores que me han añadido (mensajes directos, grupos, otros servidores)
history-theirs-personal = Imágenes de <@{ $user }> fuera de los servidores que me han añadido (mensajes directos, grupos, otros servidores)
show-not-found-personal = No tengo ninguna imagen con el id de trabajo { $job } fuera de los servidores que me han añadido (mensajes directos, grupos, otros servidores). `/historial` enumera las tuyas.
quota-where = Dónde se aplica
quota-personal-note = Este es tu límite diario personal: se aplica en mensajes directos, grupos y servidores que no me han añadido. En un servidor que me ha añadido se aplican los límites de ese servidor.
settings-images-per-request = Imágenes por petición
settings-up-to = hasta { $count }
settings-safety = Seguridad
settings-safety-at-most = como máximo { $level } ({ $name })
settings-safety-age-restricted = ; { $level } ({ $name }) solo en canales con restricción de edad
settings-pings = Mención al terminar
settings-pings-on = activada: un mensaje nuevo menciona a quien la pidió
settings-pings-off = desactivada: se muestra en su sitio, sin mención
settings-batch-title = Imágenes por petición actualizadas
settings-safety-title = Seguridad actualizada
settings-pings-title = Menciones actualizadas
