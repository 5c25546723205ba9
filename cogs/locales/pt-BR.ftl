# Português do Brasil (pt-BR). As mesmas chaves e parâmetros de en-US.ftl; "FLUX Kontext", "pro" e "max" ficam como estão.

## Comandos, opções e escolhas

cmd-imagine = imaginar
cmd-imagine-desc = Transforme uma descrição em imagem com o FLUX Kontext.
opt-imagine-prompt = prompt
opt-imagine-prompt-desc = O que criar (seja específico: tema, estilo, luz)
opt-imagine-aspect-ratio = proporção
opt-imagine-aspect-ratio-desc = Formato da imagem (padrão 16:9)
opt-imagine-mode = modo
opt-imagine-mode-desc = pro é rápido e mais barato; max tem a maior qualidade
opt-imagine-format = formato
opt-imagine-format-desc = Formato do arquivo do resultado (padrão jpeg)
opt-imagine-upsample = enriquecer
opt-imagine-upsample-desc = Deixar o modelo enriquecer seu prompt antes
opt-imagine-safety = segurança
opt-imagine-safety-desc = Moderação: 0 rígida … 2 equilibrada (padrão: o máximo que este canal permite)
cmd-edit = editar
cmd-edit-desc = Altere uma imagem com uma instrução, usando o FLUX Kontext.
opt-edit-image = imagem
opt-edit-image-desc = A imagem a alterar (JPEG, PNG ou WebP, até 10 MB)
opt-edit-prompt = prompt
opt-edit-prompt-desc = O que mudar, por ex. "deixe à noite, mantenha todo o resto"
opt-edit-aspect-ratio = { opt-imagine-aspect-ratio }
opt-edit-aspect-ratio-desc = Formato do resultado (padrão: o mais próximo da sua imagem)
opt-edit-mode = { opt-imagine-mode }
opt-edit-mode-desc = { opt-imagine-mode-desc }
opt-edit-format = { opt-imagine-format }
opt-edit-format-desc = { opt-imagine-format-desc }
opt-edit-upsample = { opt-imagine-upsample }
opt-edit-upsample-desc = { opt-imagine-upsample-desc }
opt-edit-safety = { opt-imagine-safety }
opt-edit-safety-desc = { opt-imagine-safety-desc }
choice-0 = 0 · rígida
choice-1 = 1 · moderada
choice-2 = 2 · equilibrada
menu-edit-image = Editar imagem
cmd-help = ajuda
cmd-help-desc = O que este bot faz, seus comandos, dicas de prompt, sua cota e os preços.
cmd-history = histórico
cmd-history-desc = Suas imagens mais recentes neste servidor, das mais novas às mais antigas, com links.
opt-history-member = membro
opt-history-member-desc = De quem são as imagens (só Gerenciar servidor); as suas se vazio
cmd-show = mostrar
cmd-show-desc = Mostre de novo uma das suas imagens, em privado, com os botões Refazer, Editar e Excluir.
opt-show-job = tarefa
opt-show-job-desc = O id da tarefa: na última linha da imagem, ou em /histórico
cmd-quota = cota
cmd-quota-desc = Veja quantas imagens ainda restam hoje e o orçamento deste servidor.
cmd-usage = consumo
cmd-usage-desc = Os gastos com imagens deste servidor, os membros mais ativos, falhas e reembolsos.
cmd-settings = configurações
cmd-settings-desc = Limites de imagens deste servidor
cmd-settings-show = mostrar
cmd-settings-show-desc = Mostrar as configurações de imagens deste servidor.
cmd-settings-daily-limit = limite-diário
cmd-settings-daily-limit-desc = Definir quantas imagens cada membro pode criar por dia.
opt-settings-daily-limit-images = imagens
opt-settings-daily-limit-images-desc = Imagens por membro por dia (0 desativa a geração); vazio: o padrão
cmd-settings-daily-cap = teto-diário
cmd-settings-daily-cap-desc = Limitar os gastos com imagens deste servidor por dia (UTC).
opt-settings-daily-cap-amount = valor
opt-settings-daily-cap-amount-desc = Gasto máximo por dia em USD, por ex. 5 ou 12.50; "none" remove o teto
cmd-settings-monthly-cap = teto-mensal
cmd-settings-monthly-cap-desc = Limitar os gastos com imagens deste servidor por mês (UTC).
opt-settings-monthly-cap-amount = valor
opt-settings-monthly-cap-amount-desc = Gasto máximo por mês em USD, por ex. 50; "none" remove o teto
cmd-settings-max-mode = modo-max
cmd-settings-max-mode-desc = Permitir ou proibir o modo max neste servidor.
opt-settings-max-mode-allowed = permitido
opt-settings-max-mode-allowed-desc = Se os membros podem usar o modo max (o dobro do preço do pro)
cmd-settings-cooldown = intervalo
cmd-settings-cooldown-desc = Definir um intervalo entre os pedidos de um mesmo membro.
opt-settings-cooldown-seconds = segundos
opt-settings-cooldown-seconds-desc = Segundos que um membro deve esperar entre pedidos (0: nenhum)
cmd-settings-concurrent = simultâneas
cmd-settings-concurrent-desc = Definir quantas imagens um membro pode ter em andamento ao mesmo tempo.
opt-settings-concurrent-jobs = tarefas
opt-settings-concurrent-jobs-desc = Imagens em andamento ao mesmo tempo por membro; vazio: o padrão
cmd-settings-channels = canais
cmd-settings-channels-desc = Escolher os canais onde o bot pode ser usado.
opt-settings-channels-action = ação
opt-settings-channels-action-desc = permitir ou proibir um canal, ou deixar o bot funcionar em todo lugar
opt-settings-channels-channel = canal
opt-settings-channels-channel-desc = O canal
choice-allow = permitir
choice-disallow = proibir
choice-everywhere = em todo lugar
cmd-settings-watermark = marca-de-água
cmd-settings-watermark-desc = Adicionar uma marca-d'água às imagens deste servidor, ou removê-la.
opt-settings-watermark-text = texto
opt-settings-watermark-text-desc = Texto que o serviço adiciona às imagens deste servidor; vazio para remover
cmd-settings-role = cargo
cmd-settings-role-desc = Dar a um cargo seu próprio limite diário (os membros ficam com o melhor), ou removê-lo.
opt-settings-role-role = cargo
opt-settings-role-role-desc = O cargo
opt-settings-role-limit = limite
opt-settings-role-limit-desc = Imagens por dia para seus membros: um número, "unlimited" ou "clear"
cmd-settings-reset = zerar
cmd-settings-reset-desc = Zerar a contagem de imagens de hoje de um membro.
opt-settings-reset-member = membro
opt-settings-reset-member-desc = O membro cujas imagens de hoje são esquecidas (o dinheiro gasto continua gasto)

## Progresso

progress-imagine = Imaginando
progress-edit = Editando
progress-queued = ⏳ Na fila
progress-submitting = 📨 Enviando ao serviço de imagens
progress-pending = 🕒 Aguardando o modelo
progress-processing = 🎨 Gerando
progress-finished = 📥 Baixando a imagem
progress-delivering = 📤 Enviando
progress-in-line = { $state } — { $position }º na fila
progress-ready = { $state } · pronta { $when }
progress-late = { $state } · está demorando mais que o normal

## Cartões de resultado

card-closest-ratio = { $ratio } (o mais próximo da imagem original)
card-watermark = marca-d'água "{ $text }"
card-no-watermark = sem marca-d'água
card-upsampling-on = enriquecimento ligado
card-upsampling-off = enriquecimento desligado
card-safety = segurança { $level } ({ $name })
safety-0 = rígida
safety-1 = moderada
safety-2 = equilibrada
card-translation-on = tradução ligada
card-translation-off = tradução desligada
card-facts = ⏱️ { $seconds } s · 💵 { $cost } · pedida por <@{ $user }>
card-edited-from = editada a partir [desta imagem]({ $url })
card-job = Tarefa { $job }
card-task = task { $task }
card-too-large = A imagem é grande demais para enviar aqui mesmo depois de reduzida, então aqui vai um link (ele expira depois de um tempo): { $url }
card-reencoded = Recodificada para caber no limite de envio deste canal
card-shown-facts = 💵 { $cost } · criada { $when } · pedida por <@{ $user }>
card-original = [a mensagem original]({ $url })
card-shown-only-to-you = visível só para você

## Falhas

fail-title = Não foi possível criar esta imagem
fail-declined = O serviço de imagens recusou este pedido.
fail-not-charged = **Você não foi cobrado** por esta imagem: ela não conta nos seus limites.
fail-prompt = Prompt
fail-footer = Tarefa { $job }
fail-unknown = Algo deu errado do meu lado ao criar esta imagem.
fail-plain = { $mention } Não foi possível criar esta imagem (tarefa { $job }).
fail-plain-not-charged = { $mention } Não foi possível criar esta imagem (tarefa { $job }). Você não foi cobrado.
refusal-private-intro = Só você pode ver isto. O serviço de imagens recusou seu pedido (tarefa { $job }).
refusal-private-outro = A mensagem no canal diz apenas que ele foi recusado.

## Botões e janelas

button-reroll = Refazer
button-edit = Editar
button-delete = Excluir
button-retry = Tentar de novo
button-dismiss = Descartar
button-newer = Mais novas
button-older = Mais antigas
modal-edit-title = Editar esta imagem
modal-menu-title = Editar imagem
modal-what-changes = O que deve mudar?
modal-which-image = Qual imagem?
modal-edit-placeholder = por ex. deixe à noite, mantenha todo o resto igual
modal-menu-placeholder = por ex. troque o texto da placa por "ABERTO"
button-no-record = Não tenho mais o registro desta imagem, então não posso fazer isso. Crie uma nova com /imaginar.
button-delete-refused = Só <@{ $user }> ou membros com **Gerenciar mensagens** podem excluir esta imagem.
button-dismiss-refused = Só <@{ $user }> ou membros com **Gerenciar mensagens** podem descartar esta mensagem.
edit-no-image = Este resultado não tem mais imagem anexada, então não há nada para editar.
result-no-record = Não tenho registro de onde esta imagem foi publicada, então não posso usá-la.
result-deleted = A mensagem com esta imagem foi excluída, então não posso mais usá-la.
result-unreadable = Não consigo mais ler o canal onde esta imagem foi publicada, então não posso usá-la.
error-menu-no-image = Não vejo nenhuma imagem nessa mensagem. Use **Editar imagem** numa mensagem com uma imagem anexada ou com link, ou use `/editar` para enviar uma.

## Erros

later = mais tarde
not-charged = Nada foi cobrado.
quota-disabled = A geração de imagens está desativada para você neste servidor. Um admin do servidor pode mudar isso em `/configurações`.
quota-channel = Não crio imagens neste canal. Tente em { $channels }.
quota-channel-nowhere = Não crio imagens aqui.
quota-max-mode = Este servidor não permite o modo **max**. Escolha **pro**.
quota-cooldown = Espere um pouco entre os pedidos: você poderá pedir de novo { $when }.
quota-concurrency = { $used ->
        [one] Você já tem 1 imagem em andamento
       *[other] Você já tem { $used } imagens em andamento
    } (o limite é { $limit } por vez). Espere uma terminar.
quota-user-daily = { $limit ->
        [one] Você já usou sua imagem de hoje neste servidor. Poderá criar mais { $when }.
       *[other] Você já usou todas as suas { $limit } imagens de hoje neste servidor. Poderá criar mais { $when }.
    }
quota-global-daily = O bot atingiu o orçamento de gastos de hoje definido pelo dono. Ele será renovado { $when }.
quota-guild-daily-reached = Este servidor atingiu seu orçamento diário de imagens de { $cap } ({ $used } gastos). O orçamento será renovado { $when }.
quota-guild-monthly-reached = Este servidor atingiu seu orçamento mensal de imagens de { $cap } ({ $used } gastos). O orçamento será renovado { $when }.
quota-guild-daily-left = Este servidor já usou { $used } do seu orçamento diário de imagens de { $cap }; restam { $left } e esta imagem custa { $needed }. O orçamento será renovado { $when }.
quota-guild-monthly-left = Este servidor já usou { $used } do seu orçamento mensal de imagens de { $cap }; restam { $left } e esta imagem custa { $needed }. O orçamento será renovado { $when }.
family-content-policy = O serviço de imagens recusou isto pela sua política de conteúdo. Tente reformular o prompt.
family-input-image = O serviço de imagens não conseguiu usar a imagem original: ela precisa ser um JPEG, PNG ou WebP com menos de 10 MB que ele consiga baixar.
family-prompt = O serviço de imagens não conseguiu usar este prompt (longo demais, ou não entendido). Tente reformular.
family-timeout = O serviço de imagens demorou demais e desistiu desta imagem. Tente de novo.
family-model-unavailable = O modelo está indisponível no momento. Tente de novo em alguns minutos.
family-out-of-credits = A conta do bot no serviço de imagens está sem créditos. Avise o dono do bot.
family-unknown = O serviço de imagens não conseguiu criar esta imagem.
service-said = O serviço disse: "{ $words }"
task-line = Task { $task }
error-breaker = O serviço de imagens está falhando agora, então não estou enviando novos pedidos por um momento. Tente de novo { $when }.
error-already-starting = Já estou nisso: esse pedido está sendo feito agora mesmo.
error-storage = Estou temporariamente indisponível: não consigo acessar meu banco de dados agora. Tente de novo em um minuto.
error-shutting-down = Estou reiniciando agora. Tente de novo em alguns segundos.
error-submit-interrupted = Reiniciei enquanto enviava este pedido ao serviço de imagens. Para garantir que você nunca seja cobrado duas vezes, não o enviei de novo. Execute-o novamente.
error-timed-out = A imagem não ficou pronta depois de { $minutes ->
        [0] { $seconds ->
            [one] { $seconds } segundo
           *[other] { $seconds } segundos
        }
        [one] 1 minuto
       *[other] { $minutes } minutos
    }, então parei de esperar. O serviço de imagens pode estar sobrecarregado; tente de novo daqui a pouco.
error-bot-missing-permissions = Não posso fazer isso aqui: preciso da permissão { $permissions } neste canal.
error-missing-permissions = Você precisa da permissão { $permissions } para fazer isso.
error-no-private-message = Este comando funciona em servidores, não em mensagens diretas.
error-cooldown = Calma: tente de novo { $when }.
error-check-failure = Você não pode usar este comando aqui.
error-api-key = O serviço de imagens recusou a chave de API do bot. Avise o dono do bot.
error-rate-limited = O serviço de imagens está ocupado agora (limite de requisições). Tente de novo em um minuto.
error-server = O serviço de imagens está com problemas (erro { $status }). Tente de novo em instantes.
error-api-timeout = O serviço de imagens não respondeu a tempo. Tente de novo em instantes.
error-api-connection = Não consegui falar com o serviço de imagens. Tente de novo em instantes.
error-malformed = O serviço de imagens enviou uma resposta que não consegui ler. Tente de novo em instantes.
error-download-too-large = A imagem pronta era maior do que aceito baixar.
error-image-too-large = O serviço de imagens devolveu uma imagem muito maior do que ele costuma criar, então não a abri. Tente de novo.
error-image-too-large-size = O serviço de imagens devolveu uma imagem muito maior do que ele costuma criar ({ $width } x { $height } pixels), então não a abri. Tente de novo.
error-not-an-image = O serviço de imagens devolveu algo que não é uma imagem JPEG, PNG ou WebP, então não a publiquei.
error-api-status = O serviço de imagens recusou o pedido (erro { $status }): { $reason }
error-api-status-no-reason = nenhum motivo informado
error-api-other = Algo deu errado ao falar com o serviço de imagens. Tente de novo.
error-unhandled = Algo deu errado do meu lado. Se continuar acontecendo, avise o dono do bot: ref. `{ $ref }`.
error-unhandled-short = Algo deu errado do meu lado. Tente de novo.
permission-send-messages = Enviar mensagens
permission-attach-files = Anexar arquivos
permission-embed-links = Inserir links
permission-read-message-history = Ver histórico de mensagens
permission-view-channel = Ver canal
permission-manage-guild = Gerenciar servidor
permission-manage-messages = Gerenciar mensagens

## Respostas a menções

mention-how-to = Diga o que fazer depois da menção. Responda a uma mensagem com imagem escrevendo, por exemplo, **@{ $name } deixe à noite, mantenha todo o resto**, ou anexe uma imagem à sua mensagem. Sem imagem, eu crio uma nova a partir das suas palavras. Também há `/imaginar`, `/editar` e **Apps → Editar imagem** em qualquer mensagem.
mention-hidden = O Discord não me deixa ver a imagem dessa mensagem, porque ela não me menciona. Use **Apps → Editar imagem** nela (clique com o botão direito ou toque e segure a mensagem), anexe a imagem à sua mensagem ou responda a uma das minhas próprias imagens. (O dono do bot também pode ativar o intent Message Content.)
mention-missing-permissions = Preciso da permissão { $permissions } neste canal para criar imagens aqui.
mention-reply-unseen = Não consigo ver a mensagem que você respondeu: ela foi excluída ou está num lugar que não consigo ler. Anexe a imagem à sua mensagem ou use `/editar`.

## Ajuda e boas-vindas

help-title = FLUX Kontext: ajuda
help-about = Eu crio e altero imagens com o modelo **FLUX Kontext** da Black Forest Labs: descreva uma imagem e eu a desenho, ou me mostre uma imagem e diga o que mudar. As edições se encadeiam: edite um resultado várias vezes sem que ele se desvie.
help-commands-title = Comandos
help-commands =
    `/imaginar prompt` · criar uma imagem (opções: proporção, modo, formato, enriquecimento, segurança, quantidade: até 4)
    `/editar imagem prompt` · alterar uma imagem que você enviar
    { "**" }@{ $name } instrução** em resposta a uma imagem · editar essa imagem (sem imagem: criar uma)
    { "**" }Apps → Editar imagem** em qualquer mensagem · editar uma imagem dela
    { "**" }Refazer** · **Editar** · **Excluir** em cada resultado · de novo, editar mais, remover
    `/histórico` · suas imagens mais recentes aqui, com links · `/mostrar tarefa` · uma de novo, com seus botões
    `/cota` · suas imagens restantes hoje · `/ajuda` · esta ajuda
    Admins do servidor (Gerenciar servidor): `/configurações` para limites e tetos, `/consumo` para os gastos
help-tips-title = Dicas de prompt (do guia da Black Forest Labs)
help-tips =
    • Seja específico: tema, estilo, luz, composição.
    • Diga o que manter: *"mantenha o mesmo rosto e a mesma pose"*.
    • Prefira *mude* ou *substitua* a *transforme*.
    • Ponha o texto exato entre aspas: *Substitua 'ABERTO' por 'FECHADO'*.
    • Divida uma edição complexa em etapas e descreva o que você quer, não o que não quer.
    • Escreva em qualquer idioma: os prompts são enviados como você digita, e o serviço de imagens os traduz.
help-your-images = Suas imagens
help-prices = Preços
help-price-pro = **pro** { $price } por imagem
help-price-max = **max** { $price } por imagem (maior qualidade)
help-price-max-not-here = **max** { $price } por imagem (maior qualidade): não permitido neste servidor
help-price-who-pays = O dono do bot paga o serviço de imagens; uma imagem que falha é reembolsada.
help-quota-unlimited = { $used ->
        [one] { $used } imagem
       *[other] { $used } imagens
    } hoje, sem limite diário.
help-quota = { $used } de { $limit ->
        [one] 1 imagem
       *[other] { $limit } imagens
    } hoje · **restam { $left }** · renova { $when }
welcome-title = Obrigado por me adicionar!
welcome-try-title = Experimente
welcome-try = `/imaginar um farol ao entardecer, pintura a óleo`, ou responda a uma imagem com **@{ $name } deixe à noite**. `/ajuda` lista tudo.
welcome-cost-title = Quanto custam as imagens
welcome-limits-title = Limites (admins com Gerenciar servidor)
welcome-limits =
    Cada membro pode criar { $daily ->
        [one] { $daily } imagem
       *[other] { $daily } imagens
    } por dia e ter { $concurrent } em andamento ao mesmo tempo; { $caps }.
    `/configurações limite-diário` · imagens por membro por dia (0 desativa a geração)
    `/configurações teto-diário` · `/configurações teto-mensal` · os gastos do servidor em USD
    `/configurações cargo` · o limite diário de um cargo · `/configurações modo-max` · permitir max
    `/configurações canais` · onde posso ser usado · `/configurações lote` · imagens por pedido
    `/configurações menções` · uma menção quando uma imagem fica pronta · `/configurações segurança` · o limite de segurança
    `/configurações mostrar` · tudo · `/consumo` · os gastos
welcome-no-caps = ainda não há teto de gastos para o servidor
welcome-cap-day = o servidor pode gastar { $day } por dia
welcome-cap-month = o servidor pode gastar { $month } por mês
welcome-cap-both = o servidor pode gastar { $day } por dia e { $month } por mês

## Cota, consumo e configurações

quota-title = Suas imagens
quota-today = Hoje
quota-unlimited = ilimitado
quota-used-of = { $used } de { $limit }
quota-left = · **restam { $left }**
quota-resets = Renova { $when }
quota-running = Em andamento: { $running } de { $max }
quota-server-budget = Orçamento do servidor
no-cap = sem teto
spend-lines =
    Hoje: **{ $today }** de { $daycap }, renova { $dayreset }
    Este mês: **{ $month }** de { $monthcap }, renova { $monthreset }
usage-title = Consumo de imagens neste servidor
usage-spend = Gastos
usage-today = Hoje
usage-month = Este mês
usage-leader = <@{ $user }>: { $images ->
        [one] { $images } imagem
       *[other] { $images } imagens
    }, { $cost }
usage-nobody = ninguém ainda
usage-totals =
    Imagens criadas: { $made } ({ $madecost })
    Falharam e foram reembolsadas: { $refunded } ({ $refundedcost })
    Em andamento: { $running }
    { "**" }Membros mais ativos**
    { $leaders }
settings-title = Configurações de imagens deste servidor
settings-daily-limit-title = Limite diário de imagens atualizado
settings-daily-cap-title = Teto de gasto diário atualizado
settings-monthly-cap-title = Teto de gasto mensal atualizado
settings-max-mode-title = Modo max atualizado
settings-cooldown-title = Intervalo atualizado
settings-concurrent-title = Tarefas simultâneas atualizadas
settings-channels-title = Canais atualizados
settings-watermark-title = Marca-d'água atualizada
settings-role-title = Limites por cargo atualizados
settings-images-per-day = Imagens por membro por dia
settings-bot-default = (padrão do bot)
settings-generation-off = · geração desativada
settings-role-tiers = Limites por cargo
settings-none = nenhum
settings-spend-caps = Tetos de gasto do servidor
settings-caps =
    por dia: { $day }
    por mês: { $month }
settings-max-mode = Modo max
settings-allowed = permitido
settings-not-allowed = não permitido
settings-cooldown = Intervalo
settings-seconds = { $seconds } s
settings-jobs-at-once = Tarefas simultâneas por membro
settings-channels = Canais
settings-everywhere = em todo lugar
settings-watermark = Marca-d'água
settings-bad-amount = `{ $text }` não é um valor em dólares americanos: escreva como `5` ou `12.50`, ou `none`.
settings-bad-tier = Dê ao cargo um número de imagens por dia, `unlimited`, ou `clear` para remover o limite dele.
settings-pick-channel-allow = Escolha o canal a permitir.
settings-pick-channel-disallow = Escolha o canal a proibir.
settings-reset-done = { $member } começa o dia do zero: { $used } usadas.
settings-reset-used = { $limit ->
        [none] { $used ->
            [one] { $used } imagem
           *[other] { $used } imagens
        }
       *[other] { $used } de { $limit ->
            [one] 1 imagem
           *[other] { $limit } imagens
        }
    }

## Histórico

history-yours = Suas imagens neste servidor
history-theirs = Imagens de <@{ $user }> neste servidor
history-page = Página { $page } · mais novas primeiro
history-empty-yours = Nada aqui ainda: crie uma imagem com `/imaginar`.
history-empty-theirs = Nenhuma imagem aqui.
history-no-older = Nenhuma imagem mais antiga.
history-open = abrir
history-show-hint = `/mostrar tarefa:` traz uma de volta aqui com seus botões.
history-not-your-buttons = Estes botões são de <@{ $user }>. `/histórico` mostra suas próprias imagens.
history-manage-server-only = Só membros com **Gerenciar servidor** podem ver as imagens de outro membro.
history-manage-server-only-yours = Só membros com **Gerenciar servidor** podem ver as imagens de outro membro. `/histórico` mostra as suas.
show-not-found = Não tenho nenhuma imagem com o id de tarefa { $job } neste servidor. `/histórico` lista as suas.
show-not-yours = Essa imagem é de <@{ $user }>: só essa pessoa ou membros com **Gerenciar servidor** podem mostrá-la.
show-not-finished = Esta tarefa não tem imagem para mostrar: ela falhou ou ainda não terminou.

## Pedidos que o serviço de imagens recusaria

invalid-prompt-empty = O prompt está vazio: descreva a imagem que você quer.
invalid-prompt-too-long = O prompt tem { $length } caracteres; o limite é { $limit }.
invalid-mode = Modo desconhecido: escolha um de { $choices }.
invalid-aspect-ratio = Proporção desconhecida: escolha uma de { $choices }.
invalid-format = Formato desconhecido: escolha um de { $choices }.
invalid-safety = O nível de segurança deve ser 0 (rígida), 1 (moderada) ou 2 (equilibrada).
invalid-image-url = A imagem original deve ser uma URL http(s).
invalid-image-empty = { $file } está vazio (0 bytes); anexe a imagem de novo.
invalid-image-type = { $file } é { $type }; só consigo editar imagens JPEG, PNG e WebP.
invalid-image-type-unknown = { $file } é de um tipo desconhecido; só consigo editar imagens JPEG, PNG e WebP.
invalid-image-too-big = { $file } tem { $megabytes } MB; o serviço de imagens aceita imagens de até 10 MB.
invalid-image-unreadable = O Discord não conseguiu ler { $file } como imagem: o arquivo está danificado ou não é de fato um { $format }. Salve de novo e anexe o novo arquivo.
invalid-link-refused = Não consigo usar a imagem desse link. Use o link de uma imagem JPEG, PNG ou WebP de até 10 MB que qualquer pessoa possa abrir, ou anexe o arquivo.
settings-refused = Configuração recusada: { $reason }
setting-role-limit = O limite diário de um cargo deve ser um número inteiro de 0 a { $max }, ou ilimitado.
setting-channels-too-many = No máximo { $max } canais podem ser permitidos; deixe a lista vazia para permitir todos.

## Lotes, segurança por canal, uso pessoal e menções

opt-imagine-count = quantidade
opt-imagine-count-desc = Quantas imagens criar, de 1 a 4 (cada uma é cobrada; o servidor pode permitir menos)
opt-edit-count = { opt-imagine-count }
opt-edit-count-desc = { opt-imagine-count-desc }
cmd-settings-batch = lote
cmd-settings-batch-desc = Defina quantas imagens um /imaginar ou /editar pode pedir (cada uma é cobrada).
opt-settings-batch-images = imagens
opt-settings-batch-images-desc = Máximo de imagens por pedido (1-4); deixe vazio para o padrão
cmd-settings-safety = segurança
cmd-settings-safety-desc = Limite o quão permissiva a segurança pode ser aqui e nos canais com restrição de idade.
opt-settings-safety-level = nível
opt-settings-safety-level-desc = O nível mais permissivo que membros podem usar aqui; pedidos acima são reduzidos a ele
opt-settings-safety-age-restricted = restrição_idade
opt-settings-safety-age-restricted-desc = Permitir o nível mais permissivo (2) só, e sempre, em canais com restrição de idade
cmd-settings-pings = menções
cmd-settings-pings-desc = Escolha se os membros são mencionados quando a imagem deles fica pronta.
opt-settings-pings-on = ligado
opt-settings-pings-on-desc = Ligado: a imagem pronta chega numa nova mensagem que menciona quem pediu; desligado: sem menção
card-safety-lowered = , reduzida de { $level } ({ $name }): o máximo permitido aqui
progress-imagine-batch = Imaginando { $count } imagens
progress-edit-batch = Editando { $count } imagens
progress-done = { $state } · { $done } de { $total } prontas
# A mensagem de espera recolhida: "✅ <isto> <link para o resultado> · prompt" (o ✅ e o link são do bot).
ping-ready = Pronta:
batch-facts = 🖼️ { $made } de { $size } imagens · ⏱️ { $seconds } s · 💵 { $cost } · pedidas por <@{ $user }>
batch-image-failed = ⚠️ **A imagem { $number } falhou**: { $reason }
batch-failed-not-charged = { $count ->
        [one] A imagem que falhou não foi cobrada de você.
       *[other] As { $count } imagens que falharam não foram cobradas de você.
    }
batch-image-too-large = A imagem { $number } é grande demais para enviar aqui, então aqui vai um link (ele expira depois de um tempo): { $url }
batch-image-alt = Imagem { $number }: { $prompt }
batch-image-gone = A imagem { $number } não está mais nesta mensagem, então não há nada para editar.
button-reroll-all = Refazer todas
button-edit-n = Editar { $number }
button-reroll-n = Refazer { $number }
invalid-batch-limit = Este servidor permite até { $limit ->
        [one] { $limit } imagem
       *[other] { $limit } imagens
    } por pedido; você pediu { $count }. Nada foi cobrado.
quota-batch-daily = Este pedido é de { $images } imagens, mas hoje você só tem { $remaining ->
        [one] { $remaining } imagem
       *[other] { $remaining } imagens
    } neste servidor (de { $limit }). Peça { $remaining } ou menos, ou mais { $when }.
quota-guild-daily-left-batch = Este servidor já usou { $used } do seu orçamento diário de imagens de { $cap }; restam { $left } e este lote de { $images } imagens custa { $needed }. O orçamento será renovado { $when }.
quota-guild-monthly-left-batch = Este servidor já usou { $used } do seu orçamento mensal de imagens de { $cap }; restam { $left } e este lote de { $images } imagens custa { $needed }. O orçamento será renovado { $when }.
personal-limit-reached = { $limit ->
        [one] Você já usou sua imagem pessoal de hoje
       *[other] Você já usou todas as suas { $limit } imagens pessoais de hoje
    } (fora dos servidores que me adicionaram, cada pessoa tem { $limit } por dia). Poderá criar mais { $when }.
personal-generation-off = O dono do bot desativou a criação de imagens fora dos servidores que adicionaram o bot.
personal-long-job = O Discord me deixa atualizar esta mensagem por 15 minutos. Se sua imagem demorar mais, eu a envio por mensagem direta; se suas mensagens diretas estiverem fechadas, ela espera por você em `/histórico`.
personal-by-dm = Sua imagem (tarefa `{ $job }`) levou mais que os 15 minutos que o Discord me dá para responder onde você pediu, então aqui está ela por mensagem direta.
personal-nothing-kept = Não consigo trazer de volta a tarefa `{ $job }`: ela foi mostrada onde não consigo ler (um grupo privado ou um servidor sem mim), e a cópia do serviço de imagens expirou.
dm-help-intro = Eu crio imagens com comandos de barra, aqui também: experimente `/imaginar` nesta conversa. Veja o que eu sei fazer.
history-yours-personal = Suas imagens fora dos servidores que me adicionaram (mensagens diretas, grupos, outros servidores)
history-theirs-personal = Imagens de <@{ $user }> fora dos servidores que me adicionaram (mensagens diretas, grupos, outros servidores)
show-not-found-personal = Não tenho nenhuma imagem com o id de tarefa { $job } fora dos servidores que me adicionaram (mensagens diretas, grupos, outros servidores). `/histórico` lista as suas.
quota-where = Onde isto vale
quota-personal-note = Este é seu limite diário pessoal: vale em mensagens diretas, grupos e servidores que não me adicionaram. Num servidor que me adicionou, valem os limites desse servidor.
settings-images-per-request = Imagens por pedido
settings-up-to = até { $count }
settings-safety = Segurança
settings-safety-at-most = no máximo { $level } ({ $name })
settings-safety-age-restricted = ; { $level } ({ $name }) só em canais com restrição de idade
settings-pings = Menção quando pronta
settings-pings-on = ligada: uma nova mensagem menciona quem pediu
settings-pings-off = desligada: mostrada no lugar, sem menção
settings-batch-title = Imagens por pedido atualizadas
settings-safety-title = Segurança atualizada
settings-pings-title = Menções atualizadas
