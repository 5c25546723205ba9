# Deutsch (de). Dieselben Schlüssel und Platzhalter wie en-US.ftl; „FLUX Kontext“, „pro“ und „max“ bleiben.

## Befehle, Optionen und Auswahlen

cmd-imagine = generieren
cmd-imagine-desc = Mit FLUX Kontext aus einer Beschreibung ein Bild machen.
opt-imagine-prompt = prompt
opt-imagine-prompt-desc = Was entstehen soll (genau beschreiben: Motiv, Stil, Licht)
opt-imagine-aspect-ratio = seitenverhältnis
opt-imagine-aspect-ratio-desc = Form des Bildes (Standard 16:9)
opt-imagine-mode = modus
opt-imagine-mode-desc = pro ist schnell und günstiger; max hat die höchste Qualität
opt-imagine-format = format
opt-imagine-format-desc = Dateiformat des Ergebnisses (Standard jpeg)
opt-imagine-upsample = anreichern
opt-imagine-upsample-desc = Das Modell deinen Prompt zuerst anreichern lassen
opt-imagine-safety = sicherheit
opt-imagine-safety-desc = Inhaltsmoderation: 0 streng … 2 ausgewogen (Standard: das Höchste, was dieser Kanal erlaubt)
cmd-edit = bearbeiten
cmd-edit-desc = Ein Bild mit einer Anweisung verändern, mit FLUX Kontext.
opt-edit-image = bild
opt-edit-image-desc = Das zu ändernde Bild (JPEG, PNG oder WebP, bis 10 MB)
opt-edit-prompt = prompt
opt-edit-prompt-desc = Was sich ändern soll, z. B. „mach es nachts, behalte alles andere“
opt-edit-aspect-ratio = { opt-imagine-aspect-ratio }
opt-edit-aspect-ratio-desc = Form des Ergebnisses (Standard: am nächsten an deinem Bild)
opt-edit-mode = { opt-imagine-mode }
opt-edit-mode-desc = { opt-imagine-mode-desc }
opt-edit-format = { opt-imagine-format }
opt-edit-format-desc = { opt-imagine-format-desc }
opt-edit-upsample = { opt-imagine-upsample }
opt-edit-upsample-desc = { opt-imagine-upsample-desc }
opt-edit-safety = { opt-imagine-safety }
opt-edit-safety-desc = { opt-imagine-safety-desc }
choice-0 = 0 · streng
choice-1 = 1 · moderat
choice-2 = 2 · ausgewogen
menu-edit-image = Bild bearbeiten
cmd-help = hilfe
cmd-help-desc = Was dieser Bot kann, seine Befehle, Prompt-Tipps, dein Kontingent und die Preise.
cmd-history = verlauf
cmd-history-desc = Deine neuesten Bilder auf diesem Server, neueste zuerst, jeweils mit Link.
opt-history-member = mitglied
opt-history-member-desc = Wessen Bilder (nur mit Server verwalten); leer: deine
cmd-show = zeigen
cmd-show-desc = Eines deiner Bilder erneut zeigen, privat, mit den Knöpfen Neu würfeln, Bearbeiten und Löschen.
opt-show-job = auftrag
opt-show-job-desc = Die Auftrags-ID: in der letzten Zeile des Bildes oder in /verlauf
cmd-quota = kontingent
cmd-quota-desc = Sieh nach, wie viele Bilder du heute noch hast, und das Budget dieses Servers.
cmd-usage = nutzung
cmd-usage-desc = Bildausgaben dieses Servers, aktivste Mitglieder, Fehlschläge und Erstattungen.
cmd-settings = einstellungen
cmd-settings-desc = Bildlimits für diesen Server
cmd-settings-show = zeigen
cmd-settings-show-desc = Die Bildeinstellungen dieses Servers zeigen.
cmd-settings-daily-limit = tageslimit
cmd-settings-daily-limit-desc = Festlegen, wie viele Bilder jedes Mitglied pro Tag machen darf.
opt-settings-daily-limit-images = bilder
opt-settings-daily-limit-images-desc = Bilder pro Mitglied und Tag (0 schaltet die Erzeugung ab); leer: Standard
cmd-settings-daily-cap = tagesbudget
cmd-settings-daily-cap-desc = Die Bildausgaben dieses Servers pro Tag begrenzen (UTC).
opt-settings-daily-cap-amount = betrag
opt-settings-daily-cap-amount-desc = Höchstausgabe pro Tag in USD, z. B. 5 oder 12.50; „none“ entfernt die Grenze
cmd-settings-monthly-cap = monatsbudget
cmd-settings-monthly-cap-desc = Die Bildausgaben dieses Servers pro Monat begrenzen (UTC).
opt-settings-monthly-cap-amount = betrag
opt-settings-monthly-cap-amount-desc = Höchstausgabe pro Monat in USD, z. B. 50; „none“ entfernt die Grenze
cmd-settings-max-mode = max-modus
cmd-settings-max-mode-desc = Den max-Modus auf diesem Server erlauben oder verbieten.
opt-settings-max-mode-allowed = erlaubt
opt-settings-max-mode-allowed-desc = Ob Mitglieder den max-Modus nutzen dürfen (doppelter Preis von pro)
cmd-settings-cooldown = abklingzeit
cmd-settings-cooldown-desc = Eine Wartezeit zwischen den Anfragen eines Mitglieds festlegen.
opt-settings-cooldown-seconds = sekunden
opt-settings-cooldown-seconds-desc = Sekunden Wartezeit zwischen zwei Anfragen (0: keine)
cmd-settings-concurrent = gleichzeitig
cmd-settings-concurrent-desc = Festlegen, wie viele Bilder ein Mitglied gleichzeitig in Arbeit haben darf.
opt-settings-concurrent-jobs = aufträge
opt-settings-concurrent-jobs-desc = Bilder gleichzeitig in Arbeit pro Mitglied; leer: Standard
cmd-settings-channels = kanäle
cmd-settings-channels-desc = Die Kanäle wählen, in denen der Bot genutzt werden darf.
opt-settings-channels-action = aktion
opt-settings-channels-action-desc = einen Kanal erlauben oder sperren, oder den Bot überall arbeiten lassen
opt-settings-channels-channel = kanal
opt-settings-channels-channel-desc = Der Kanal
choice-allow = erlauben
choice-disallow = sperren
choice-everywhere = überall
cmd-settings-watermark = wasserzeichen
cmd-settings-watermark-desc = Den Bildern dieses Servers ein Wasserzeichen hinzufügen oder es entfernen.
opt-settings-watermark-text = text
opt-settings-watermark-text-desc = Text, den der Bilddienst den Bildern hinzufügt; leer lassen zum Entfernen
cmd-settings-role = rolle
cmd-settings-role-desc = Einer Rolle ein eigenes Tageslimit geben (Mitglieder erhalten das beste) oder es entfernen.
opt-settings-role-role = rolle
opt-settings-role-role-desc = Die Rolle
opt-settings-role-limit = limit
opt-settings-role-limit-desc = Bilder pro Tag für ihre Mitglieder: eine Zahl, „unlimited“ oder „clear“
cmd-settings-reset = zurücksetzen
cmd-settings-reset-desc = Den heutigen Bildzähler eines Mitglieds zurücksetzen.
opt-settings-reset-member = mitglied
opt-settings-reset-member-desc = Das Mitglied, dessen heutige Bilder vergessen werden (Ausgegebenes bleibt ausgegeben)

## Fortschritt

progress-imagine = Erzeuge
progress-edit = Bearbeite
progress-queued = ⏳ In der Warteschlange
progress-submitting = 📨 Wird an den Bilddienst gesendet
progress-pending = 🕒 Warte auf das Modell
progress-processing = 🎨 Wird erzeugt
progress-finished = 📥 Bild wird heruntergeladen
progress-delivering = 📤 Wird hochgeladen
progress-in-line = { $state } — Platz { $position } in der Schlange
progress-ready = { $state } · fertig { $when }
progress-late = { $state } · dauert länger als üblich

## Ergebniskarten

card-closest-ratio = { $ratio } (am nächsten am Ausgangsbild)
card-watermark = Wasserzeichen „{ $text }“
card-no-watermark = kein Wasserzeichen
card-upsampling-on = Anreicherung an
card-upsampling-off = Anreicherung aus
card-safety = Sicherheit { $level } ({ $name })
safety-0 = streng
safety-1 = moderat
safety-2 = ausgewogen
card-translation-on = Übersetzung an
card-translation-off = Übersetzung aus
card-facts = ⏱️ { $seconds } s · 💵 { $cost } · angefordert von <@{ $user }>
card-edited-from = bearbeitet aus [diesem Bild]({ $url })
card-job = Auftrag { $job }
card-task = Task { $task }
card-too-large = Das Bild ist selbst verkleinert zu groß zum Hochladen, deshalb hier ein Link (er läuft nach einer Weile ab): { $url }
card-reencoded = Neu kodiert, um das Upload-Limit dieses Kanals einzuhalten
card-shown-facts = 💵 { $cost } · erstellt { $when } · angefordert von <@{ $user }>
card-original = [die ursprüngliche Nachricht]({ $url })
card-shown-only-to-you = nur für dich sichtbar

## Fehlschläge

fail-title = Dieses Bild konnte nicht erstellt werden
fail-declined = Der Bilddienst hat diese Anfrage abgelehnt.
fail-not-charged = **Dir wurde nichts berechnet** für dieses Bild: Es zählt nicht zu deinen Limits.
fail-prompt = Prompt
fail-footer = Auftrag { $job }
fail-unknown = Bei mir ist beim Erstellen dieses Bildes etwas schiefgelaufen.
fail-plain = { $mention } Dieses Bild konnte nicht erstellt werden (Auftrag { $job }).
fail-plain-not-charged = { $mention } Dieses Bild konnte nicht erstellt werden (Auftrag { $job }). Dir wurde nichts berechnet.
refusal-private-intro = Nur du siehst das. Der Bilddienst hat deine Anfrage abgelehnt (Auftrag { $job }).
refusal-private-outro = Die Nachricht im Kanal sagt nur, dass sie abgelehnt wurde.

## Knöpfe und Dialoge

button-reroll = Neu würfeln
button-edit = Bearbeiten
button-delete = Löschen
button-retry = Erneut versuchen
button-dismiss = Ausblenden
button-newer = Neuere
button-older = Ältere
modal-edit-title = Dieses Bild bearbeiten
modal-menu-title = Bild bearbeiten
modal-what-changes = Was soll sich ändern?
modal-which-image = Welches Bild?
modal-edit-placeholder = z. B. mach es nachts, behalte alles andere bei
modal-menu-placeholder = z. B. ersetze den Text auf dem Schild durch „OFFEN“
button-no-record = Ich habe keinen Eintrag mehr zu diesem Bild, deshalb geht das nicht. Erstelle ein neues mit /generieren.
button-delete-refused = Nur <@{ $user }> oder Mitglieder mit **Nachrichten verwalten** können dieses Bild löschen.
button-dismiss-refused = Nur <@{ $user }> oder Mitglieder mit **Nachrichten verwalten** können diese Nachricht ausblenden.
edit-no-image = Dieses Ergebnis hat kein angehängtes Bild mehr, es gibt also nichts zu bearbeiten.
result-no-record = Ich weiß nicht mehr, wo dieses Bild gepostet wurde, deshalb kann ich es nicht verwenden.
result-deleted = Die Nachricht mit diesem Bild wurde gelöscht, deshalb kann ich es nicht mehr verwenden.
result-unreadable = Ich kann den Kanal, in dem dieses Bild gepostet wurde, nicht mehr lesen, deshalb kann ich es nicht verwenden.
error-menu-no-image = In dieser Nachricht sehe ich kein Bild. Nutze **Bild bearbeiten** bei einer Nachricht mit angehängtem oder verlinktem Bild, oder lade mit `/bearbeiten` eines hoch.

## Fehler

later = später
not-charged = Es wurde nichts berechnet.
quota-disabled = Die Bilderzeugung ist für dich auf diesem Server abgeschaltet. Ein Server-Admin kann das in `/einstellungen` ändern.
quota-channel = In diesem Kanal erstelle ich keine Bilder. Versuch es in { $channels }.
quota-channel-nowhere = Hier erstelle ich keine Bilder.
quota-max-mode = Dieser Server erlaubt den **max**-Modus nicht. Wähle stattdessen **pro**.
quota-cooldown = Bitte warte kurz zwischen den Anfragen: Du kannst { $when } wieder fragen.
quota-concurrency = { $used ->
        [one] Du hast schon 1 Bild in Arbeit
       *[other] Du hast schon { $used } Bilder in Arbeit
    } (das Limit ist { $limit } gleichzeitig). Warte, bis eines fertig ist.
quota-user-daily = { $limit ->
        [one] Du hast dein eines Bild für heute auf diesem Server genutzt. Du kannst { $when } wieder welche machen.
       *[other] Du hast alle { $limit } Bilder für heute auf diesem Server genutzt. Du kannst { $when } wieder welche machen.
    }
quota-global-daily = Der Bot hat das Tagesbudget seines Betreibers erreicht. Es wird { $when } zurückgesetzt.
quota-guild-daily-reached = Dieser Server hat sein tägliches Bildbudget von { $cap } erreicht ({ $used } ausgegeben). Das Budget wird { $when } zurückgesetzt.
quota-guild-monthly-reached = Dieser Server hat sein monatliches Bildbudget von { $cap } erreicht ({ $used } ausgegeben). Das Budget wird { $when } zurückgesetzt.
quota-guild-daily-left = Dieser Server hat { $used } seines täglichen Bildbudgets von { $cap } verbraucht; { $left } sind übrig und dieses Bild kostet { $needed }. Das Budget wird { $when } zurückgesetzt.
quota-guild-monthly-left = Dieser Server hat { $used } seines monatlichen Bildbudgets von { $cap } verbraucht; { $left } sind übrig und dieses Bild kostet { $needed }. Das Budget wird { $when } zurückgesetzt.
family-content-policy = Der Bilddienst hat das nach seinen Inhaltsrichtlinien abgelehnt. Formuliere den Prompt anders.
family-input-image = Der Bilddienst konnte das Ausgangsbild nicht verwenden: Es muss ein JPEG, PNG oder WebP unter 10 MB sein, das er herunterladen kann.
family-prompt = Der Bilddienst konnte diesen Prompt nicht verwenden (zu lang oder nicht verstanden). Formuliere ihn anders.
family-timeout = Der Bilddienst hat zu lange gebraucht und dieses Bild aufgegeben. Versuch es noch einmal.
family-model-unavailable = Das Modell ist gerade nicht verfügbar. Versuch es in ein paar Minuten noch einmal.
family-out-of-credits = Das Konto des Bots beim Bilddienst hat kein Guthaben mehr. Bitte sag dem Betreiber des Bots Bescheid.
family-unknown = Der Bilddienst konnte dieses Bild nicht erstellen.
service-said = Der Dienst sagte: „{ $words }“
task-line = Task { $task }
error-breaker = Der Bilddienst fällt gerade aus, deshalb sende ich kurz keine neuen Anfragen. Bitte versuch es { $when } noch einmal.
error-already-starting = Bin schon dabei: Diese Anfrage wird gerade bearbeitet.
error-storage = Ich bin vorübergehend nicht verfügbar: Meine Datenbank ist gerade nicht erreichbar. Bitte versuch es in einer Minute noch einmal.
error-shutting-down = Ich starte gerade neu. Bitte versuch es in ein paar Sekunden noch einmal.
error-submit-interrupted = Ich bin neu gestartet, während ich diese Anfrage an den Bilddienst gesendet habe. Damit dir nie etwas doppelt berechnet wird, habe ich sie nicht erneut gesendet. Bitte starte sie noch einmal.
error-timed-out = Das Bild war nach { $minutes ->
        [0] { $seconds ->
            [one] { $seconds } Sekunde
           *[other] { $seconds } Sekunden
        }
        [one] 1 Minute
       *[other] { $minutes } Minuten
    } nicht fertig, deshalb habe ich aufgehört zu warten. Der Bilddienst ist vielleicht überlastet; versuch es gleich noch einmal.
error-bot-missing-permissions = Das kann ich hier nicht: Ich brauche in diesem Kanal die Berechtigung { $permissions }.
error-missing-permissions = Dafür brauchst du die Berechtigung { $permissions }.
error-no-private-message = Dieser Befehl funktioniert auf Servern, nicht in Direktnachrichten.
error-cooldown = Etwas langsamer: Versuch es { $when } wieder.
error-check-failure = Du kannst diesen Befehl hier nicht verwenden.
error-api-key = Der Bilddienst hat den API-Schlüssel des Bots abgelehnt. Bitte sag dem Betreiber des Bots Bescheid.
error-rate-limited = Der Bilddienst ist gerade ausgelastet (Ratenlimit). Bitte versuch es in einer Minute noch einmal.
error-server = Der Bilddienst hat Probleme (Fehler { $status }). Bitte versuch es gleich noch einmal.
error-api-timeout = Der Bilddienst hat nicht rechtzeitig geantwortet. Bitte versuch es gleich noch einmal.
error-api-connection = Ich konnte den Bilddienst nicht erreichen. Bitte versuch es gleich noch einmal.
error-malformed = Der Bilddienst hat eine Antwort geschickt, die ich nicht lesen konnte. Bitte versuch es gleich noch einmal.
error-download-too-large = Das fertige Bild war größer, als ich herunterladen möchte.
error-image-too-large = Der Bilddienst hat ein Bild geschickt, das viel größer ist, als er je erzeugt, deshalb habe ich es nicht geöffnet. Bitte versuch es noch einmal.
error-image-too-large-size = Der Bilddienst hat ein Bild geschickt, das viel größer ist, als er je erzeugt ({ $width } x { $height } Pixel), deshalb habe ich es nicht geöffnet. Bitte versuch es noch einmal.
error-not-an-image = Der Bilddienst hat etwas geschickt, das kein JPEG-, PNG- oder WebP-Bild ist, deshalb habe ich es nicht gepostet.
error-api-status = Der Bilddienst hat die Anfrage abgelehnt (Fehler { $status }): { $reason }
error-api-status-no-reason = kein Grund angegeben
error-api-other = Bei der Verbindung zum Bilddienst ist etwas schiefgelaufen. Bitte versuch es noch einmal.
error-unhandled = Bei mir ist etwas schiefgelaufen. Wenn das öfter passiert, sag dem Betreiber des Bots Bescheid: Ref. `{ $ref }`.
error-unhandled-short = Bei mir ist etwas schiefgelaufen. Bitte versuch es noch einmal.
permission-send-messages = Nachrichten senden
permission-attach-files = Dateien anhängen
permission-embed-links = Links einbetten
permission-read-message-history = Nachrichtenverlauf anzeigen
permission-view-channel = Kanal ansehen
permission-manage-guild = Server verwalten
permission-manage-messages = Nachrichten verwalten

## Antworten auf Erwähnungen

mention-how-to = Sag mir nach der Erwähnung, was ich tun soll. Antworte auf eine Nachricht mit einem Bild und schreib zum Beispiel **@{ $name } mach es nachts, behalte alles andere**, oder hänge ein Bild an deine Nachricht an. Ohne Bild mache ich aus deinen Worten ein neues. Es gibt auch `/generieren`, `/bearbeiten` und **Apps → Bild bearbeiten** bei jeder Nachricht.
mention-hidden = Discord lässt mich das Bild in dieser Nachricht nicht sehen, weil sie mich nicht erwähnt. Nutze **Apps → Bild bearbeiten** darauf (Rechtsklick oder lange auf die Nachricht tippen), hänge das Bild an deine Nachricht an oder antworte auf eines meiner eigenen Bilder. (Der Betreiber des Bots kann auch den Message-Content-Intent einschalten.)
mention-missing-permissions = Ich brauche in diesem Kanal die Berechtigung { $permissions }, um hier Bilder zu machen.
mention-reply-unseen = Ich kann die Nachricht, auf die du geantwortet hast, nicht sehen: Sie wurde gelöscht oder ist dort, wo ich nicht lesen kann. Hänge das Bild stattdessen an deine Nachricht an oder nutze `/bearbeiten`.

## Hilfe und Begrüßung

help-title = FLUX Kontext: Hilfe
help-about = Ich erstelle und verändere Bilder mit dem Modell **FLUX Kontext** von Black Forest Labs: Beschreib ein Bild und ich zeichne es, oder zeig mir ein Bild und sag, was sich ändern soll. Bearbeitungen lassen sich verketten: Bearbeite ein Ergebnis immer wieder, ohne dass es abdriftet.
help-commands-title = Befehle
help-commands =
    `/generieren prompt` · ein Bild machen (Optionen: Seitenverhältnis, Modus, Format, Anreicherung, Sicherheit, Anzahl: bis zu 4)
    `/bearbeiten bild prompt` · ein hochgeladenes Bild verändern
    { "**" }@{ $name } Anweisung** als Antwort auf ein Bild · dieses Bild bearbeiten (ohne Bild: eines machen)
    { "**" }Apps → Bild bearbeiten** bei jeder Nachricht · ein Bild darin bearbeiten
    { "**" }Neu würfeln** · **Bearbeiten** · **Löschen** unter jedem Ergebnis · nochmal, weiter bearbeiten, entfernen
    `/verlauf` · deine neuesten Bilder hier, mit Links · `/zeigen auftrag` · eines erneut, mit seinen Knöpfen
    `/kontingent` · deine heute verbleibenden Bilder · `/hilfe` · diese Hilfe
    Server-Admins (Server verwalten): `/einstellungen` für Limits und Budgets, `/nutzung` für die Ausgaben
help-tips-title = Prompt-Tipps (aus dem Leitfaden von Black Forest Labs)
help-tips =
    • Sei genau: Motiv, Stil, Licht, Bildaufbau.
    • Sag, was bleiben soll: *„behalte dasselbe Gesicht und dieselbe Pose“*.
    • Schreib lieber *ändere* oder *ersetze* als *verwandle*.
    • Setz exakten Text in Anführungszeichen: *Ersetze 'OFFEN' durch 'GESCHLOSSEN'*.
    • Teile eine komplexe Bearbeitung in Schritte und beschreibe, was du willst, statt was du nicht willst.
    • Schreib in jeder Sprache: Prompts werden so gesendet, wie du sie tippst, und der Bilddienst übersetzt sie.
help-your-images = Deine Bilder
help-prices = Preise
help-price-pro = **pro** { $price } pro Bild
help-price-max = **max** { $price } pro Bild (höchste Qualität)
help-price-max-not-here = **max** { $price } pro Bild (höchste Qualität): auf diesem Server nicht erlaubt
help-price-who-pays = Der Betreiber des Bots bezahlt den Bilddienst; ein fehlgeschlagenes Bild wird erstattet.
help-quota-unlimited = { $used ->
        [one] { $used } Bild
       *[other] { $used } Bilder
    } heute, kein Tageslimit.
help-quota = { $used } von { $limit ->
        [one] 1 Bild
       *[other] { $limit } Bildern
    } heute · **{ $left } übrig** · wird { $when } zurückgesetzt
welcome-title = Danke, dass ihr mich hinzugefügt habt!
welcome-try-title = Probier es aus
welcome-try = `/generieren ein Leuchtturm in der Dämmerung, Ölgemälde`, oder antworte auf ein Bild mit **@{ $name } mach es nachts**. `/hilfe` listet alles auf.
welcome-cost-title = Was Bilder kosten
welcome-limits-title = Limits (Admins mit Server verwalten)
welcome-limits =
    Jedes Mitglied darf { $daily ->
        [one] { $daily } Bild
       *[other] { $daily } Bilder
    } pro Tag machen und { $concurrent } gleichzeitig laufen lassen; { $caps }.
    `/einstellungen tageslimit` · Bilder pro Mitglied und Tag (0 schaltet die Erzeugung ab)
    `/einstellungen tagesbudget` · `/einstellungen monatsbudget` · die Ausgaben des Servers in USD
    `/einstellungen rolle` · das eigene Tageslimit einer Rolle · `/einstellungen max-modus` · max erlauben
    `/einstellungen kanäle` · wo ich genutzt werden darf · `/einstellungen stapel` · Bilder pro Anfrage
    `/einstellungen pings` · ein Ping, wenn ein Bild fertig ist · `/einstellungen sicherheit` · die Sicherheitsgrenze
    `/einstellungen zeigen` · alles · `/nutzung` · die Ausgaben
welcome-no-caps = noch ist kein Ausgabenlimit für den Server gesetzt
welcome-cap-day = der Server darf { $day } pro Tag ausgeben
welcome-cap-month = der Server darf { $month } pro Monat ausgeben
welcome-cap-both = der Server darf { $day } pro Tag und { $month } pro Monat ausgeben

## Kontingent, Nutzung und Einstellungen

quota-title = Deine Bilder
quota-today = Heute
quota-unlimited = unbegrenzt
quota-used-of = { $used } von { $limit }
quota-left = · **{ $left } übrig**
quota-resets = Wird { $when } zurückgesetzt
quota-running = Läuft gerade: { $running } von { $max }
quota-server-budget = Serverbudget
no-cap = keine Grenze
spend-lines =
    Heute: **{ $today }** von { $daycap }, wird { $dayreset } zurückgesetzt
    Diesen Monat: **{ $month }** von { $monthcap }, wird { $monthreset } zurückgesetzt
usage-title = Bildnutzung auf diesem Server
usage-spend = Ausgaben
usage-today = Heute
usage-month = Diesen Monat
usage-leader = <@{ $user }>: { $images ->
        [one] { $images } Bild
       *[other] { $images } Bilder
    }, { $cost }
usage-nobody = noch niemand
usage-totals =
    Erstellte Bilder: { $made } ({ $madecost })
    Fehlgeschlagen und erstattet: { $refunded } ({ $refundedcost })
    Laufend: { $running }
    { "**" }Aktivste Mitglieder**
    { $leaders }
settings-title = Bildeinstellungen dieses Servers
settings-daily-limit-title = Tägliches Bildlimit aktualisiert
settings-daily-cap-title = Tagesbudget aktualisiert
settings-monthly-cap-title = Monatsbudget aktualisiert
settings-max-mode-title = max-Modus aktualisiert
settings-cooldown-title = Abklingzeit aktualisiert
settings-concurrent-title = Gleichzeitige Aufträge aktualisiert
settings-channels-title = Kanäle aktualisiert
settings-watermark-title = Wasserzeichen aktualisiert
settings-role-title = Rollenlimits aktualisiert
settings-images-per-day = Bilder pro Mitglied und Tag
settings-bot-default = (Standard des Bots)
settings-generation-off = · Erzeugung aus
settings-role-tiers = Rollenlimits
settings-none = keine
settings-spend-caps = Ausgabenlimits des Servers
settings-caps =
    pro Tag: { $day }
    pro Monat: { $month }
settings-max-mode = max-Modus
settings-allowed = erlaubt
settings-not-allowed = nicht erlaubt
settings-cooldown = Abklingzeit
settings-seconds = { $seconds } s
settings-jobs-at-once = Gleichzeitige Aufträge pro Mitglied
settings-channels = Kanäle
settings-everywhere = überall
settings-watermark = Wasserzeichen
settings-bad-amount = `{ $text }` ist kein Betrag in US-Dollar: Schreib ihn wie `5` oder `12.50`, oder `none`.
settings-bad-tier = Gib der Rolle eine Zahl von Bildern pro Tag, `unlimited` oder `clear`, um ihr Limit zu entfernen.
settings-pick-channel-allow = Wähle den Kanal, der erlaubt werden soll.
settings-pick-channel-disallow = Wähle den Kanal, der gesperrt werden soll.
settings-reset-done = { $member } fängt heute von vorn an: { $used } genutzt.
settings-reset-used = { $limit ->
        [none] { $used ->
            [one] { $used } Bild
           *[other] { $used } Bilder
        }
       *[other] { $used } von { $limit ->
            [one] 1 Bild
           *[other] { $limit } Bildern
        }
    }

## Verlauf

history-yours = Deine Bilder auf diesem Server
history-theirs = Bilder von <@{ $user }> auf diesem Server
history-page = Seite { $page } · neueste zuerst
history-empty-yours = Noch nichts hier: Mach ein Bild mit `/generieren`.
history-empty-theirs = Hier gibt es keine Bilder.
history-no-older = Keine älteren Bilder.
history-open = öffnen
history-show-hint = `/zeigen auftrag:` holt eines mit seinen Knöpfen hierher zurück.
history-not-your-buttons = Diese Knöpfe gehören <@{ $user }>. `/verlauf` zeigt deine eigenen Bilder.
history-manage-server-only = Nur Mitglieder mit **Server verwalten** können die Bilder anderer Mitglieder sehen.
history-manage-server-only-yours = Nur Mitglieder mit **Server verwalten** können die Bilder anderer Mitglieder sehen. `/verlauf` zeigt deine.
show-not-found = Ich habe auf diesem Server kein Bild mit der Auftrags-ID { $job }. `/verlauf` listet deine auf.
show-not-yours = Dieses Bild gehört <@{ $user }>: Nur diese Person oder Mitglieder mit **Server verwalten** können es zeigen.
show-not-finished = Dieser Auftrag hat kein Bild zum Zeigen: Er ist fehlgeschlagen oder noch nicht fertig.

## Anfragen, die der Bilddienst ablehnen würde

invalid-prompt-empty = Der Prompt ist leer: Beschreib das Bild, das du willst.
invalid-prompt-too-long = Der Prompt ist { $length } Zeichen lang; das Limit ist { $limit }.
invalid-mode = Unbekannter Modus: Wähle einen von { $choices }.
invalid-aspect-ratio = Unbekanntes Seitenverhältnis: Wähle eines von { $choices }.
invalid-format = Unbekanntes Format: Wähle eines von { $choices }.
invalid-safety = Die Sicherheitsstufe muss 0 (streng), 1 (moderat) oder 2 (ausgewogen) sein.
invalid-image-url = Das Ausgangsbild muss eine http(s)-URL sein.
invalid-image-empty = { $file } ist leer (0 Byte); hänge das Bild noch einmal an.
invalid-image-type = { $file } ist { $type }; ich kann nur JPEG-, PNG- und WebP-Bilder bearbeiten.
invalid-image-type-unknown = { $file } hat einen unbekannten Typ; ich kann nur JPEG-, PNG- und WebP-Bilder bearbeiten.
invalid-image-too-big = { $file } ist { $megabytes } MB groß; der Bilddienst nimmt Bilder bis 10 MB.
invalid-image-unreadable = Discord konnte { $file } nicht als Bild lesen: Die Datei ist beschädigt oder nicht wirklich ein { $format }. Speichere sie neu und hänge die neue Datei an.
invalid-link-refused = Das Bild unter diesem Link kann ich nicht verwenden. Verlinke ein JPEG-, PNG- oder WebP-Bild bis 10 MB, das jeder öffnen kann, oder hänge die Datei an.
settings-refused = Einstellung abgelehnt: { $reason }
setting-role-limit = Das Tageslimit einer Rolle muss eine ganze Zahl von 0 bis { $max } sein, oder unbegrenzt.
setting-channels-too-many = Höchstens { $max } Kanäle können erlaubt werden; lass die Liste leer, um alle zu erlauben.

## Stapel, Sicherheit pro Kanal, persönliche Nutzung und Pings

opt-imagine-count = anzahl
opt-imagine-count-desc = Wie viele Bilder, 1-4 (jedes wird berechnet; der Server kann weniger erlauben)
opt-edit-count = { opt-imagine-count }
opt-edit-count-desc = { opt-imagine-count-desc }
cmd-settings-batch = stapel
cmd-settings-batch-desc = Lege fest, wie viele Bilder ein /generieren oder /bearbeiten anfragen darf (jedes wird berechnet).
opt-settings-batch-images = bilder
opt-settings-batch-images-desc = Höchstzahl Bilder pro Anfrage (1-4); leer lassen für den Standard
cmd-settings-safety = sicherheit
cmd-settings-safety-desc = Begrenze, wie freizügig die Bildsicherheit auf diesem Server und in altersbeschränkten Kanälen ist.
opt-settings-safety-level = stufe
opt-settings-safety-level-desc = Die freizügigste Stufe, die Mitglieder hier nutzen dürfen; höhere Anfragen werden gesenkt
opt-settings-safety-age-restricted = altersbeschränkt
opt-settings-safety-age-restricted-desc = Die freizügigste Stufe (2) nur, und immer, in altersbeschränkten Kanälen erlauben
cmd-settings-pings = pings
cmd-settings-pings-desc = Wähle, ob Mitglieder angepingt werden, wenn ihr Bild fertig ist.
opt-settings-pings-on = an
opt-settings-pings-on-desc = An: Ein fertiges Bild kommt als neue Nachricht, die den Anfragenden anpingt; aus: kein Ping
card-safety-lowered = , gesenkt von { $level } ({ $name }): das Höchste, was hier erlaubt ist
progress-imagine-batch = Erzeuge { $count } Bilder
progress-edit-batch = Bearbeite { $count } Bilder
progress-done = { $state } · { $done } von { $total } fertig
# Der eingeklappte Platzhalter: „✅ <dies> <Link zum Ergebnis> · Prompt“ (✅ und Link fügt der Bot hinzu).
ping-ready = Fertig:
batch-facts = 🖼️ { $made } von { $size } Bildern · ⏱️ { $seconds } s · 💵 { $cost } · angefordert von <@{ $user }>
batch-image-failed = ⚠️ **Bild { $number } ist fehlgeschlagen**: { $reason }
batch-failed-not-charged = { $count ->
        [one] Das fehlgeschlagene Bild wurde dir nicht berechnet.
       *[other] Die { $count } fehlgeschlagenen Bilder wurden dir nicht berechnet.
    }
batch-image-too-large = Bild { $number } ist zu groß zum Hochladen, deshalb hier ein Link (er läuft nach einer Weile ab): { $url }
batch-image-alt = Bild { $number }: { $prompt }
batch-image-gone = Bild { $number } ist nicht mehr in dieser Nachricht, es gibt also nichts zu bearbeiten.
button-reroll-all = Alle neu würfeln
button-edit-n = Bearbeiten { $number }
button-reroll-n = Neu würfeln { $number }
invalid-batch-limit = Dieser Server erlaubt bis zu { $limit ->
        [one] { $limit } Bild
       *[other] { $limit } Bilder
    } pro Anfrage; du hast { $count } angefragt. Es wurde nichts berechnet.
quota-batch-daily = Diese Anfrage ist für { $images } Bilder, aber du hast heute auf diesem Server nur noch { $remaining ->
        [one] { $remaining } Bild
       *[other] { $remaining } Bilder
    } übrig (von { $limit }). Frag nach { $remaining } oder weniger, oder { $when } nach mehr.
quota-guild-daily-left-batch = Dieser Server hat { $used } seines täglichen Bildbudgets von { $cap } verbraucht; { $left } sind übrig und dieser Stapel von { $images } Bildern kostet { $needed }. Das Budget wird { $when } zurückgesetzt.
quota-guild-monthly-left-batch = Dieser Server hat { $used } seines monatlichen Bildbudgets von { $cap } verbraucht; { $left } sind übrig und dieser Stapel von { $images } Bildern kostet { $needed }. Das Budget wird { $when } zurückgesetzt.
personal-limit-reached = { $limit ->
        [one] Du hast dein eines persönliches Bild für heute genutzt
       *[other] Du hast alle { $limit } persönlichen Bilder für heute genutzt
    } (außerhalb von Servern, die mich hinzugefügt haben, bekommt jeder { $limit } am Tag). Du kannst { $when } wieder welche machen.
personal-generation-off = Der Betreiber des Bots hat die Bilderzeugung außerhalb von Servern, die den Bot hinzugefügt haben, abgeschaltet.
personal-long-job = Discord lässt mich diese Nachricht 15 Minuten lang aktualisieren. Dauert dein Bild länger, schicke ich es dir per DM; sind deine DMs geschlossen, wartet es in `/verlauf` auf dich.
personal-by-dm = Dein Bild (Auftrag `{ $job }`) hat länger gedauert als die 15 Minuten, die Discord mir zum Antworten gibt, deshalb kommt es hier per DM.
personal-nothing-kept = Ich kann Auftrag `{ $job }` nicht zurückholen: Er wurde dort gezeigt, wo ich nicht lesen kann (eine Gruppen-DM oder ein Server ohne mich), und die Kopie des Bilddienstes ist abgelaufen.
dm-help-intro = Ich mache Bilder mit Slash-Befehlen, auch hier: Probier `/generieren` in dieser DM. Das kann ich:
history-yours-personal = Deine Bilder außerhalb von Servern, die mich hinzugefügt haben (DMs, Gruppen-DMs, andere Server)
history-theirs-personal = Bilder von <@{ $user }> außerhalb von Servern, die mich hinzugefügt haben (DMs, Gruppen-DMs, andere Server)
show-not-found-personal = Ich habe außerhalb von Servern, die mich hinzugefügt haben (DMs, Gruppen-DMs, andere Server), kein Bild mit der Auftrags-ID { $job }. `/verlauf` listet deine auf.
quota-where = Wo das gilt
quota-personal-note = Das ist dein persönliches Tageslimit: Es gilt in DMs, Gruppen-DMs und auf Servern, die mich nicht hinzugefügt haben. Auf einem Server, der mich hinzugefügt hat, gelten dessen Limits.
settings-images-per-request = Bilder pro Anfrage
settings-up-to = bis zu { $count }
settings-safety = Sicherheit
settings-safety-at-most = höchstens { $level } ({ $name })
settings-safety-age-restricted = ; { $level } ({ $name }) nur in altersbeschränkten Kanälen
settings-pings = Ping, wenn fertig
settings-pings-on = an: eine neue Nachricht pingt den Anfragenden
settings-pings-off = aus: an Ort und Stelle gezeigt, kein Ping
settings-batch-title = Bilder pro Anfrage aktualisiert
settings-safety-title = Sicherheit aktualisiert
settings-pings-title = Pings aktualisiert
