# Français (fr). Mêmes clés et mêmes paramètres que en-US.ftl ; « FLUX Kontext », « pro », « max » et les noms des
# boutons de Discord restent tels quels.

## Commandes, options et choix

cmd-imagine = imaginer
cmd-imagine-desc = Transformer une description en image avec FLUX Kontext.
opt-imagine-prompt = prompt
opt-imagine-prompt-desc = Ce qu'il faut créer (soyez précis : sujet, style, lumière)
opt-imagine-aspect-ratio = proportions
opt-imagine-aspect-ratio-desc = Forme de l'image (16:9 par défaut)
opt-imagine-mode = mode
opt-imagine-mode-desc = pro est rapide et moins cher ; max offre la meilleure qualité
opt-imagine-format = format
opt-imagine-format-desc = Format de fichier du résultat (jpeg par défaut)
opt-imagine-upsample = enrichir
opt-imagine-upsample-desc = Laisser le modèle enrichir d'abord votre prompt
opt-imagine-safety = sécurité
opt-imagine-safety-desc = Modération : 0 stricte … 2 équilibrée (par défaut : le maximum permis dans ce salon)
cmd-edit = modifier
cmd-edit-desc = Modifier une image avec une consigne, grâce à FLUX Kontext.
opt-edit-image = image
opt-edit-image-desc = L'image à modifier (JPEG, PNG ou WebP, jusqu'à 10 Mo)
opt-edit-prompt = prompt
opt-edit-prompt-desc = Ce qu'il faut changer, p. ex. « fais-en une scène de nuit, garde tout le reste »
opt-edit-aspect-ratio = { opt-imagine-aspect-ratio }
opt-edit-aspect-ratio-desc = Forme du résultat (par défaut : la plus proche de votre image)
opt-edit-mode = { opt-imagine-mode }
opt-edit-mode-desc = { opt-imagine-mode-desc }
opt-edit-format = { opt-imagine-format }
opt-edit-format-desc = { opt-imagine-format-desc }
opt-edit-upsample = { opt-imagine-upsample }
opt-edit-upsample-desc = { opt-imagine-upsample-desc }
opt-edit-safety = { opt-imagine-safety }
opt-edit-safety-desc = { opt-imagine-safety-desc }
choice-0 = 0 · stricte
choice-1 = 1 · modérée
choice-2 = 2 · équilibrée
menu-edit-image = Modifier l'image
cmd-help = aide
cmd-help-desc = Ce que fait ce bot, ses commandes, des conseils de prompt, votre quota et les prix.
cmd-history = historique
cmd-history-desc = Vos dernières images sur ce serveur, les plus récentes d'abord, avec un lien vers chacune.
opt-history-member = membre
opt-history-member-desc = Les images de qui (Gérer le serveur uniquement) ; les vôtres si vide
cmd-show = afficher
cmd-show-desc = Réafficher une de vos images, en privé, avec ses boutons Relancer, Modifier et Supprimer.
opt-show-job = tâche
opt-show-job-desc = L'identifiant de tâche : sur la dernière ligne de l'image, ou dans /historique
cmd-quota = quota
cmd-quota-desc = Voir combien d'images il vous reste aujourd'hui, et le budget de ce serveur.
cmd-usage = consommation
cmd-usage-desc = Les dépenses d'images de ce serveur, les membres les plus actifs, les échecs et remboursements.
cmd-settings = réglages
cmd-settings-desc = Limites d'images pour ce serveur
cmd-settings-show = afficher
cmd-settings-show-desc = Afficher les réglages d'images de ce serveur.
cmd-settings-daily-limit = limite-quotidienne
cmd-settings-daily-limit-desc = Définir combien d'images chaque membre peut créer par jour.
opt-settings-daily-limit-images = images
opt-settings-daily-limit-images-desc = Images par membre et par jour (0 désactive la génération) ; vide : par défaut
cmd-settings-daily-cap = plafond-quotidien
cmd-settings-daily-cap-desc = Plafonner les dépenses d'images de ce serveur par jour (UTC).
opt-settings-daily-cap-amount = montant
opt-settings-daily-cap-amount-desc = Dépense maximale par jour en USD, p. ex. 5 ou 12.50 ; « none » retire le plafond
cmd-settings-monthly-cap = plafond-mensuel
cmd-settings-monthly-cap-desc = Plafonner les dépenses d'images de ce serveur par mois (UTC).
opt-settings-monthly-cap-amount = montant
opt-settings-monthly-cap-amount-desc = Dépense maximale par mois en USD, p. ex. 50 ; « none » retire le plafond
cmd-settings-max-mode = mode-max
cmd-settings-max-mode-desc = Autoriser ou interdire le mode max sur ce serveur.
opt-settings-max-mode-allowed = autorisé
opt-settings-max-mode-allowed-desc = Si les membres peuvent utiliser le mode max (deux fois le prix de pro)
cmd-settings-cooldown = délai
cmd-settings-cooldown-desc = Définir un délai entre deux demandes d'un même membre.
opt-settings-cooldown-seconds = secondes
opt-settings-cooldown-seconds-desc = Secondes d'attente entre deux demandes (0 : aucune)
cmd-settings-concurrent = simultanées
cmd-settings-concurrent-desc = Définir combien d'images un membre peut avoir en cours à la fois.
opt-settings-concurrent-jobs = tâches
opt-settings-concurrent-jobs-desc = Images en cours à la fois par membre ; vide : valeur par défaut
cmd-settings-channels = salons
cmd-settings-channels-desc = Choisir les salons où le bot peut être utilisé.
opt-settings-channels-action = action
opt-settings-channels-action-desc = autoriser ou interdire un salon, ou laisser le bot fonctionner partout
opt-settings-channels-channel = salon
opt-settings-channels-channel-desc = Le salon
choice-allow = autoriser
choice-disallow = interdire
choice-everywhere = partout
cmd-settings-watermark = filigrane
cmd-settings-watermark-desc = Ajouter un filigrane aux images de ce serveur, ou le retirer.
opt-settings-watermark-text = texte
opt-settings-watermark-text-desc = Texte ajouté aux images de ce serveur ; vide pour le retirer
cmd-settings-role = rôle
cmd-settings-role-desc = Donner à un rôle sa propre limite quotidienne (les membres ont la meilleure), ou la retirer.
opt-settings-role-role = rôle
opt-settings-role-role-desc = Le rôle
opt-settings-role-limit = limite
opt-settings-role-limit-desc = Images par jour pour ses membres : un nombre, « unlimited » ou « clear »
cmd-settings-reset = réinitialiser
cmd-settings-reset-desc = Remettre à zéro le compteur d'images du jour d'un membre.
opt-settings-reset-member = membre
opt-settings-reset-member-desc = Le membre dont les images du jour sont oubliées (l'argent dépensé reste dépensé)

## Progression

progress-imagine = Création
progress-edit = Modification
progress-queued = ⏳ En file d'attente
progress-submitting = 📨 Envoi au service d'images
progress-pending = 🕒 En attente du modèle
progress-processing = 🎨 Génération en cours
progress-finished = 📥 Téléchargement de l'image
progress-delivering = 📤 Envoi sur Discord
progress-in-line = { $state } — position { $position } dans la file
progress-ready = { $state } · prête { $when }
progress-late = { $state } · plus long que d'habitude

## Cartes de résultat

card-closest-ratio = { $ratio } (le plus proche de l'image d'origine)
card-watermark = filigrane « { $text } »
card-no-watermark = sans filigrane
card-upsampling-on = enrichissement activé
card-upsampling-off = enrichissement désactivé
card-safety = sécurité { $level } ({ $name })
safety-0 = stricte
safety-1 = modérée
safety-2 = équilibrée
card-translation-on = traduction activée
card-translation-off = traduction désactivée
card-facts = ⏱️ { $seconds } s · 💵 { $cost } · demandée par <@{ $user }>
card-edited-from = modifiée à partir de [cette image]({ $url })
card-job = Tâche { $job }
card-task = tâche API { $task }
card-too-large = L'image est trop lourde pour être envoyée ici, même réduite ; voici donc un lien (il expire au bout d'un moment) : { $url }
card-reencoded = Réencodée pour respecter la limite d'envoi de ce salon
card-shown-facts = 💵 { $cost } · créée { $when } · demandée par <@{ $user }>
card-original = [le message d'origine]({ $url })
card-shown-only-to-you = visible par vous seul

## Échecs

fail-title = Impossible de créer cette image
fail-declined = Le service d'images a refusé cette demande.
fail-not-charged = **Rien ne vous a été facturé** pour cette image : elle ne compte pas dans vos limites.
fail-prompt = Prompt
fail-footer = Tâche { $job }
fail-unknown = Un problème est survenu de mon côté pendant la création de cette image.
fail-plain = { $mention } Impossible de créer cette image (tâche { $job }).
fail-plain-not-charged = { $mention } Impossible de créer cette image (tâche { $job }). Rien ne vous a été facturé.
refusal-private-intro = Vous seul voyez ce message. Le service d'images a refusé votre demande (tâche { $job }).
refusal-private-outro = Le message dans le salon indique seulement qu'elle a été refusée.

## Boutons et fenêtres

button-reroll = Relancer
button-edit = Modifier
button-delete = Supprimer
button-retry = Réessayer
button-dismiss = Masquer
button-newer = Plus récentes
button-older = Plus anciennes
modal-edit-title = Modifier cette image
modal-menu-title = Modifier l'image
modal-what-changes = Que faut-il changer ?
modal-which-image = Quelle image ?
modal-edit-placeholder = p. ex. fais-en une scène de nuit, garde tout le reste identique
modal-menu-placeholder = p. ex. remplace le texte du panneau par « OUVERT »
button-no-record = Je n'ai plus la trace de cette image, je ne peux donc pas faire cela. Créez-en une nouvelle avec /imaginer.
button-delete-refused = Seul <@{ $user }> ou les membres ayant **Gérer les messages** peuvent supprimer cette image.
button-dismiss-refused = Seul <@{ $user }> ou les membres ayant **Gérer les messages** peuvent masquer ce message.
edit-no-image = Ce résultat n'a plus d'image jointe : il n'y a rien à modifier.
result-no-record = Je ne sais plus où cette image a été publiée, je ne peux donc pas l'utiliser.
result-deleted = Le message contenant cette image a été supprimé, je ne peux plus l'utiliser.
result-unreadable = Je n'ai plus accès au salon où cette image a été publiée, je ne peux donc pas l'utiliser.
error-menu-no-image = Je ne vois aucune image dans ce message. Utilisez **Modifier l'image** sur un message avec une image jointe ou liée, ou `/modifier` pour en envoyer une.

## Erreurs

later = plus tard
not-charged = Rien n'a été facturé.
quota-disabled = La génération d'images est désactivée pour vous sur ce serveur. Un admin du serveur peut changer cela avec `/réglages`.
quota-channel = Je ne crée pas d'images dans ce salon. Essayez { $channels }.
quota-channel-nowhere = Je ne crée pas d'images ici.
quota-max-mode = Ce serveur n'autorise pas le mode **max**. Choisissez **pro** à la place.
quota-cooldown = Merci d'attendre un peu entre deux demandes : vous pourrez redemander { $when }.
quota-concurrency = { $used ->
        [one] Vous avez déjà 1 image en cours
       *[other] Vous avez déjà { $used } images en cours
    } (la limite est de { $limit } à la fois). Attendez qu'une se termine.
quota-user-daily = { $limit ->
        [one] Vous avez utilisé votre image du jour sur ce serveur. Vous pourrez en créer d'autres { $when }.
       *[other] Vous avez utilisé vos { $limit } images du jour sur ce serveur. Vous pourrez en créer d'autres { $when }.
    }
quota-global-daily = Le bot a atteint le budget de dépenses du jour fixé par son propriétaire. Il sera réinitialisé { $when }.
quota-guild-daily-reached = Ce serveur a atteint son budget d'images quotidien de { $cap } ({ $used } dépensés). Le budget sera réinitialisé { $when }.
quota-guild-monthly-reached = Ce serveur a atteint son budget d'images mensuel de { $cap } ({ $used } dépensés). Le budget sera réinitialisé { $when }.
quota-guild-daily-left = Ce serveur a utilisé { $used } de son budget d'images quotidien de { $cap } ; il reste { $left } et cette image coûte { $needed }. Le budget sera réinitialisé { $when }.
quota-guild-monthly-left = Ce serveur a utilisé { $used } de son budget d'images mensuel de { $cap } ; il reste { $left } et cette image coûte { $needed }. Le budget sera réinitialisé { $when }.
family-content-policy = Le service d'images a refusé cette demande en vertu de sa politique de contenu. Essayez de reformuler le prompt.
family-input-image = Le service d'images n'a pas pu utiliser l'image d'origine : elle doit être en JPEG, PNG ou WebP, faire moins de 10 Mo et être téléchargeable.
family-prompt = Le service d'images n'a pas pu utiliser ce prompt (trop long, ou incompris). Essayez de le reformuler.
family-timeout = Le service d'images a mis trop de temps et a abandonné cette image. Réessayez.
family-model-unavailable = Le modèle est indisponible pour le moment. Réessayez dans quelques minutes.
family-out-of-credits = Le compte du bot auprès du service d'images n'a plus de crédits. Merci de prévenir le propriétaire du bot.
family-unknown = Le service d'images n'a pas pu créer cette image.
service-said = Le service a répondu : « { $words } »
task-line = Tâche API { $task }
error-breaker = Le service d'images connaît des pannes en ce moment, je n'envoie donc plus de nouvelles demandes pendant un instant. Réessayez { $when }.
error-already-starting = C'est en cours : cette demande est déjà en train d'être traitée.
error-storage = Je suis temporairement indisponible : ma base de données est injoignable pour le moment. Réessayez dans une minute.
error-shutting-down = Je redémarre en ce moment. Réessayez dans quelques secondes.
error-submit-interrupted = J'ai redémarré pendant l'envoi de cette demande au service d'images. Pour être sûr que vous ne soyez jamais facturé deux fois, je ne l'ai pas renvoyée. Relancez-la, s'il vous plaît.
error-timed-out = L'image n'était pas prête au bout de { $minutes ->
        [0] { $seconds ->
            [one] { $seconds } seconde
           *[other] { $seconds } secondes
        }
        [one] 1 minute
       *[other] { $minutes } minutes
    }, j'ai donc cessé d'attendre. Le service d'images est peut-être surchargé ; réessayez dans un moment.
error-bot-missing-permissions = Je ne peux pas faire cela ici : il me faut la permission { $permissions } dans ce salon.
error-missing-permissions = Il vous faut la permission { $permissions } pour faire cela.
error-no-private-message = Cette commande fonctionne sur les serveurs, pas en messages privés.
error-cooldown = Doucement : réessayez { $when }.
error-check-failure = Vous ne pouvez pas utiliser cette commande ici.
error-api-key = Le service d'images a refusé la clé d'API du bot. Merci de prévenir le propriétaire du bot.
error-rate-limited = Le service d'images est saturé en ce moment (limite de débit). Réessayez dans une minute.
error-server = Le service d'images rencontre des difficultés (erreur { $status }). Réessayez sous peu.
error-api-timeout = Le service d'images n'a pas répondu à temps. Réessayez sous peu.
error-api-connection = Je n'ai pas pu joindre le service d'images. Réessayez sous peu.
error-malformed = Le service d'images a envoyé une réponse illisible. Réessayez sous peu.
error-download-too-large = L'image terminée était plus lourde que ce que j'accepte de télécharger.
error-image-too-large = Le service d'images a renvoyé une image bien plus grande que ce qu'il produit normalement, je ne l'ai donc pas ouverte. Réessayez.
error-image-too-large-size = Le service d'images a renvoyé une image bien plus grande que ce qu'il produit normalement ({ $width } x { $height } pixels), je ne l'ai donc pas ouverte. Réessayez.
error-not-an-image = Le service d'images a renvoyé autre chose qu'une image JPEG, PNG ou WebP, je ne l'ai donc pas publiée.
error-api-status = Le service d'images a refusé la demande (erreur { $status }) : { $reason }
error-api-status-no-reason = aucune raison donnée
error-api-other = Un problème est survenu en communiquant avec le service d'images. Réessayez.
error-unhandled = Un problème est survenu de mon côté. Si cela se reproduit, prévenez le propriétaire du bot : réf. `{ $ref }`.
error-unhandled-short = Un problème est survenu de mon côté. Réessayez.
permission-send-messages = Envoyer des messages
permission-attach-files = Joindre des fichiers
permission-embed-links = Intégrer des liens
permission-read-message-history = Voir les anciens messages
permission-view-channel = Voir le salon
permission-manage-guild = Gérer le serveur
permission-manage-messages = Gérer les messages

## Réponses aux mentions

mention-how-to = Dites-moi quoi faire après la mention. Répondez à un message contenant une image en écrivant, par exemple, **@{ $name } fais-en une scène de nuit, garde tout le reste**, ou joignez une image à votre message. Sans image, j'en crée une nouvelle à partir de vos mots. Il y a aussi `/imaginer`, `/modifier`, et **Applications → Modifier l'image** sur n'importe quel message.
mention-hidden = Discord ne me laisse pas voir l'image de ce message, car il ne me mentionne pas. Utilisez **Applications → Modifier l'image** dessus (clic droit ou appui long sur le message), joignez l'image à votre message, ou répondez à une de mes propres images. (Le propriétaire du bot peut aussi activer l'intent Message Content.)
mention-missing-permissions = Il me faut la permission { $permissions } dans ce salon pour y créer des images.
mention-reply-unseen = Je ne vois pas le message auquel vous avez répondu : il a été supprimé, ou il se trouve là où je ne peux pas lire. Joignez plutôt l'image à votre message, ou utilisez `/modifier`.

## Aide et bienvenue

help-title = FLUX Kontext : aide
help-about = Je crée et modifie des images avec le modèle **FLUX Kontext** de Black Forest Labs : décrivez une image et je la dessine, ou montrez-moi une image et dites-moi quoi changer. Les modifications s'enchaînent : retouchez un résultat encore et encore sans qu'il dérive.
help-commands-title = Commandes
help-commands =
    `/imaginer prompt` · créer une image (options : proportions, mode, format, enrichissement, sécurité, nombre : jusqu'à 4)
    `/modifier image prompt` · modifier une image que vous envoyez
    { "**" }@{ $name } consigne** en réponse à une image · modifier cette image (sans image : en créer une)
    { "**" }Applications → Modifier l'image** sur n'importe quel message · modifier une de ses images
    { "**" }Relancer** · **Modifier** · **Supprimer** sur chaque résultat · recommencer, retoucher, retirer
    `/historique` · vos dernières images ici, avec leurs liens · `/afficher tâche` · en revoir une, avec ses boutons
    `/quota` · vos images restantes aujourd'hui · `/aide` · ce message
    Admins du serveur (Gérer le serveur) : `/réglages` pour les limites et plafonds, `/consommation` pour les dépenses
help-tips-title = Conseils de prompt (d'après le guide de Black Forest Labs)
help-tips =
    • Soyez précis : sujet, style, lumière, composition.
    • Dites ce qu'il faut garder : *« garde le même visage et la même pose »*.
    • Préférez *change* ou *remplace* à *transforme*.
    • Mettez le texte exact entre guillemets : *Remplace 'OUVERT' par 'FERMÉ'*.
    • Découpez une modification complexe en étapes, et décrivez ce que vous voulez plutôt que ce que vous ne voulez pas.
    • Les prompts sont envoyés tels que vous les écrivez ; le service les traduit en anglais si besoin.
help-your-images = Vos images
help-prices = Prix
help-price-pro = **pro** { $price } par image
help-price-max = **max** { $price } par image (qualité maximale)
help-price-max-not-here = **max** { $price } par image (qualité maximale) : non autorisé sur ce serveur
help-price-who-pays = Le propriétaire du bot paie le service d'images ; une image ratée est remboursée.
help-quota-unlimited = { $used ->
        [one] { $used } image
       *[other] { $used } images
    } aujourd'hui, sans limite quotidienne.
help-quota = { $used } sur { $limit ->
        [one] 1 image
       *[other] { $limit } images
    } aujourd'hui · **{ $left } restantes** · réinitialisation { $when }
welcome-title = Merci de m'avoir ajouté !
welcome-try-title = Essayez
welcome-try = `/imaginer un phare au crépuscule, peinture à l'huile`, ou répondez à une image avec **@{ $name } fais-en une scène de nuit**. `/aide` liste tout.
welcome-cost-title = Ce que coûtent les images
welcome-limits-title = Limites (admins ayant Gérer le serveur)
welcome-limits =
    Chaque membre peut créer { $daily ->
        [one] { $daily } image
       *[other] { $daily } images
    } par jour et en lancer { $concurrent ->
        [one] { $concurrent } à la fois
       *[other] { $concurrent } à la fois
    } ; { $caps }.
    `/réglages limite-quotidienne` · images par membre et par jour (0 désactive la génération)
    `/réglages plafond-quotidien` · `/réglages plafond-mensuel` · les dépenses du serveur en USD
    `/réglages rôle` · la limite quotidienne propre à un rôle · `/réglages mode-max` · autoriser max
    `/réglages salons` · où je peux être utilisé · `/réglages lot` · images par demande
    `/réglages mentions` · une mention quand une image est prête · `/réglages sécurité` · la limite de sécurité
    `/réglages afficher` · tout voir · `/consommation` · les dépenses
welcome-no-caps = aucun plafond de dépenses n'est encore fixé pour le serveur
welcome-cap-day = le serveur peut dépenser { $day } par jour
welcome-cap-month = le serveur peut dépenser { $month } par mois
welcome-cap-both = le serveur peut dépenser { $day } par jour et { $month } par mois

## Quota, consommation et réglages

quota-title = Vos images
quota-today = Aujourd'hui
quota-unlimited = illimité
quota-used-of = { $used } sur { $limit }
quota-left = · **{ $left } restantes**
quota-resets = Réinitialisation { $when }
quota-running = En cours : { $running } sur { $max }
quota-server-budget = Budget du serveur
no-cap = sans plafond
spend-lines =
    Aujourd'hui : **{ $today }** sur { $daycap }, réinitialisation { $dayreset }
    Ce mois-ci : **{ $month }** sur { $monthcap }, réinitialisation { $monthreset }
usage-title = Consommation d'images sur ce serveur
usage-spend = Dépenses
usage-today = Aujourd'hui
usage-month = Ce mois-ci
usage-leader = <@{ $user }> : { $images ->
        [one] { $images } image
       *[other] { $images } images
    }, { $cost }
usage-nobody = personne pour l'instant
usage-totals =
    Images créées : { $made } ({ $madecost })
    Échecs remboursés : { $refunded } ({ $refundedcost })
    En cours : { $running }
    { "**" }Membres les plus actifs**
    { $leaders }
settings-title = Réglages d'images de ce serveur
settings-daily-limit-title = Limite quotidienne d'images mise à jour
settings-daily-cap-title = Plafond de dépenses quotidien mis à jour
settings-monthly-cap-title = Plafond de dépenses mensuel mis à jour
settings-max-mode-title = Mode max mis à jour
settings-cooldown-title = Délai mis à jour
settings-concurrent-title = Tâches simultanées mises à jour
settings-channels-title = Salons mis à jour
settings-watermark-title = Filigrane mis à jour
settings-role-title = Limites par rôle mises à jour
settings-images-per-day = Images par membre et par jour
settings-bot-default = (valeur par défaut du bot)
settings-generation-off = · génération désactivée
settings-role-tiers = Limites par rôle
settings-none = aucun
settings-spend-caps = Plafonds de dépenses du serveur
settings-caps =
    par jour : { $day }
    par mois : { $month }
settings-max-mode = Mode max
settings-allowed = autorisé
settings-not-allowed = non autorisé
settings-cooldown = Délai
settings-seconds = { $seconds } s
settings-jobs-at-once = Tâches simultanées par membre
settings-channels = Salons
settings-everywhere = partout
settings-watermark = Filigrane
settings-bad-amount = `{ $text }` n'est pas un montant en dollars US : écrivez-le comme `5` ou `12.50`, ou `none`.
settings-bad-tier = Donnez au rôle un nombre d'images par jour, `unlimited`, ou `clear` pour retirer sa limite.
settings-pick-channel-allow = Choisissez le salon à autoriser.
settings-pick-channel-disallow = Choisissez le salon à interdire.
settings-reset-done = { $member } repart de zéro aujourd'hui : { $used } utilisées.
settings-reset-used = { $limit ->
        [none] { $used ->
            [one] { $used } image
           *[other] { $used } images
        }
       *[other] { $used } sur { $limit ->
            [one] 1 image
           *[other] { $limit } images
        }
    }

## Historique

history-yours = Vos images sur ce serveur
history-theirs = Images de <@{ $user }> sur ce serveur
history-page = Page { $page } · les plus récentes d'abord
history-empty-yours = Rien pour l'instant : créez une image avec `/imaginer`.
history-empty-theirs = Aucune image ici.
history-no-older = Pas d'images plus anciennes.
history-open = ouvrir
history-show-hint = `/afficher tâche:` en réaffiche une ici avec ses boutons.
history-not-your-buttons = Ces boutons sont ceux de <@{ $user }>. `/historique` affiche vos propres images.
history-manage-server-only = Seuls les membres ayant **Gérer le serveur** peuvent voir les images d'un autre membre.
history-manage-server-only-yours = Seuls les membres ayant **Gérer le serveur** peuvent voir les images d'un autre membre. `/historique` affiche les vôtres.
show-not-found = Je n'ai aucune image avec l'identifiant de tâche { $job } sur ce serveur. `/historique` liste les vôtres.
show-not-yours = Cette image appartient à <@{ $user }> : seuls cette personne ou les membres ayant **Gérer le serveur** peuvent l'afficher.
show-not-finished = Cette tâche n'a pas d'image à afficher : elle a échoué, ou elle n'est pas encore terminée.

## Demandes que le service d'images refuserait

invalid-prompt-empty = Le prompt est vide : décrivez l'image que vous voulez.
invalid-prompt-too-long = Le prompt fait { $length } caractères ; la limite est de { $limit }.
invalid-mode = Mode inconnu : choisissez parmi { $choices }.
invalid-aspect-ratio = Proportions inconnues : choisissez parmi { $choices }.
invalid-format = Format inconnu : choisissez parmi { $choices }.
invalid-safety = Le niveau de sécurité doit être 0 (stricte), 1 (modérée) ou 2 (équilibrée).
invalid-image-url = L'image d'origine doit être une URL http(s).
invalid-image-empty = { $file } est vide (0 octet) ; joignez l'image à nouveau.
invalid-image-type = { $file } est de type { $type } ; je ne peux modifier que des images JPEG, PNG et WebP.
invalid-image-type-unknown = { $file } est d'un type inconnu ; je ne peux modifier que des images JPEG, PNG et WebP.
invalid-image-too-big = { $file } pèse { $megabytes } Mo ; le service d'images accepte les images jusqu'à 10 Mo.
invalid-image-unreadable = Discord n'a pas pu lire { $file } comme une image : le fichier est endommagé ou n'est pas vraiment un { $format }. Enregistrez-le à nouveau et joignez le nouveau fichier.
invalid-link-refused = Je ne peux pas utiliser l'image à ce lien. Donnez le lien d'une image JPEG, PNG ou WebP de 10 Mo maximum que tout le monde peut ouvrir, ou joignez plutôt le fichier.
settings-refused = Réglage refusé : { $reason }
setting-role-limit = La limite quotidienne d'un rôle doit être un nombre entier de 0 à { $max }, ou illimitée.
setting-channels-too-many = Au plus { $max } salons peuvent être autorisés ; laissez la liste vide pour les autoriser tous.

## Lots, sécurité par salon, usage personnel et mentions

opt-imagine-count = nombre
opt-imagine-count-desc = Combien d'images créer, de 1 à 4 (chacune est facturée ; le serveur peut en permettre moins)
opt-edit-count = { opt-imagine-count }
opt-edit-count-desc = { opt-imagine-count-desc }
cmd-settings-batch = lot
cmd-settings-batch-desc = Fixer combien d'images un /imaginer ou /modifier peut demander (chacune est facturée).
opt-settings-batch-images = images
opt-settings-batch-images-desc = Nombre maximal d'images par demande (1 à 4) ; laissez vide pour la valeur par défaut
cmd-settings-safety = sécurité
cmd-settings-safety-desc = Limiter le niveau de sécurité permis sur ce serveur et dans ses salons soumis à une limite d'âge.
opt-settings-safety-level = niveau
opt-settings-safety-level-desc = Le niveau le plus permissif autorisé ici ; une demande plus haute y est ramenée
opt-settings-safety-age-restricted = salons_limite_âge
opt-settings-safety-age-restricted-desc = Permettre le niveau le plus permissif (2) seulement, et toujours, dans les salons limités par âge
cmd-settings-pings = mentions
cmd-settings-pings-desc = Choisir si les membres sont mentionnés quand leur image est prête.
opt-settings-pings-on = activé
opt-settings-pings-on-desc = Activé : une image terminée arrive dans un nouveau message qui mentionne son auteur
card-safety-lowered = , abaissée depuis { $level } ({ $name }) : le maximum permis ici
progress-imagine-batch = Création de { $count } images
progress-edit-batch = Modification de { $count } images
progress-done = { $state } · { $done } sur { $total } terminées
# Le message d'attente replié : « ✅ <ceci> <lien vers le résultat> · prompt » (le ✅ et le lien sont ajoutés par le bot).
ping-ready = Prête :
batch-facts = 🖼️ { $made } images sur { $size } · ⏱️ { $seconds } s · 💵 { $cost } · demandées par <@{ $user }>
batch-image-failed = ⚠️ **L'image { $number } a échoué** : { $reason }
batch-failed-not-charged = { $count ->
        [one] L'image qui a échoué ne vous a pas été facturée.
       *[other] Les { $count } images qui ont échoué ne vous ont pas été facturées.
    }
batch-image-too-large = L'image { $number } est trop lourde pour être envoyée ici ; voici donc un lien (il expire au bout d'un moment) : { $url }
batch-image-alt = Image { $number } : { $prompt }
batch-image-gone = L'image { $number } n'est plus sur ce message : il n'y a rien à modifier.
button-reroll-all = Tout relancer
button-edit-n = Modifier { $number }
button-reroll-n = Relancer { $number }
invalid-batch-limit = Ce serveur permet jusqu'à { $limit ->
        [one] { $limit } image
       *[other] { $limit } images
    } par demande ; vous en avez demandé { $count }. Rien n'a été facturé.
quota-batch-daily = Cette demande porte sur { $images } images, mais il ne vous en reste que { $remaining } aujourd'hui sur ce serveur (sur { $limit }). Demandez-en { $remaining } ou moins, ou davantage { $when }.
quota-guild-daily-left-batch = Ce serveur a utilisé { $used } de son budget d'images quotidien de { $cap } ; il reste { $left } et ce lot de { $images } images coûte { $needed }. Le budget sera réinitialisé { $when }.
quota-guild-monthly-left-batch = Ce serveur a utilisé { $used } de son budget d'images mensuel de { $cap } ; il reste { $left } et ce lot de { $images } images coûte { $needed }. Le budget sera réinitialisé { $when }.
personal-limit-reached = { $limit ->
        [one] Vous avez utilisé votre image personnelle du jour
       *[other] Vous avez utilisé vos { $limit } images personnelles du jour
    } (en dehors des serveurs qui m'ont ajouté, chacun a droit à { $limit } par jour). Vous pourrez en créer d'autres { $when }.
personal-generation-off = Le propriétaire du bot a désactivé la création d'images en dehors des serveurs qui ont ajouté le bot.
personal-long-job = Discord me laisse mettre à jour ce message pendant 15 minutes. Si votre image prend plus de temps, je vous l'enverrai en message privé ; si vos messages privés sont fermés, elle vous attendra dans `/historique`.
personal-by-dm = Votre image (tâche `{ $job }`) a pris plus que les 15 minutes que Discord me laisse pour répondre là où vous l'avez demandée : la voici donc en message privé.
personal-nothing-kept = Je ne peux pas retrouver la tâche `{ $job }` : elle a été affichée là où je ne peux pas lire (un groupe privé ou un serveur sans moi), et la copie du service d'images a expiré.
dm-help-intro = Je crée des images avec des commandes slash, ici aussi : essayez `/imaginer` dans cette conversation. Voici ce que je sais faire.
history-yours-personal = Vos images en dehors des serveurs qui m'ont ajouté (messages privés, groupes, autres serveurs)
history-theirs-personal = Images de <@{ $user }> en dehors des serveurs qui m'ont ajouté (messages privés, groupes, autres serveurs)
show-not-found-personal = Je n'ai aucune image avec l'identifiant de tâche { $job } en dehors des serveurs qui m'ont ajouté (messages privés, groupes, autres serveurs). `/historique` liste les vôtres.
quota-where = Où cela s'applique
quota-personal-note = C'est votre limite quotidienne personnelle : elle s'applique en messages privés, dans les groupes et sur les serveurs qui ne m'ont pas ajouté. Sur un serveur qui m'a ajouté, ce sont les limites de ce serveur qui s'appliquent.
settings-images-per-request = Images par demande
settings-up-to = jusqu'à { $count }
settings-safety = Sécurité
settings-safety-at-most = au plus { $level } ({ $name })
settings-safety-age-restricted = ; { $level } ({ $name }) seulement dans les salons soumis à une limite d'âge
settings-pings = Mention quand c'est prêt
settings-pings-on = activée : un nouveau message mentionne l'auteur de la demande
settings-pings-off = désactivée : affichée sur place, sans mention
settings-batch-title = Images par demande mises à jour
settings-safety-title = Sécurité mise à jour
settings-pings-title = Mentions mises à jour
