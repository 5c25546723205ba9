# English (en-US): the default language and the fallback for every other locale.
# Keys: cmd-/opt-/choice-/menu- are what Discord shows in the command picker (names: lowercase, no spaces, at most
# 32 characters; descriptions at most 100); everything else is what the bot says. Placeholders are named: { $name }.

## Commands, options and choices

cmd-imagine = imagine
cmd-imagine-desc = Turn a prompt into an image with FLUX Kontext.
opt-imagine-prompt = prompt
opt-imagine-prompt-desc = What to make (be specific: subject, style, light)
opt-imagine-aspect-ratio = aspect_ratio
opt-imagine-aspect-ratio-desc = Shape of the image (default 16:9)
opt-imagine-mode = mode
opt-imagine-mode-desc = pro is fast and cheaper; max is the highest quality
opt-imagine-format = format
opt-imagine-format-desc = File format of the result (default jpeg)
opt-imagine-upsample = upsample
opt-imagine-upsample-desc = Let the model enrich your prompt first
opt-imagine-safety = safety
opt-imagine-safety-desc = Content moderation: 0 strict … 2 balanced (default: the most this channel allows)
cmd-edit = edit
cmd-edit-desc = Change an image with an instruction, using FLUX Kontext.
opt-edit-image = image
opt-edit-image-desc = The image to change (JPEG, PNG or WebP, up to 10 MB)
opt-edit-prompt = prompt
opt-edit-prompt-desc = What to change, e.g. 'make it night, keep everything else'
opt-edit-aspect-ratio = { opt-imagine-aspect-ratio }
opt-edit-aspect-ratio-desc = Shape of the result (default: closest to your image)
opt-edit-mode = { opt-imagine-mode }
opt-edit-mode-desc = { opt-imagine-mode-desc }
opt-edit-format = { opt-imagine-format }
opt-edit-format-desc = { opt-imagine-format-desc }
opt-edit-upsample = { opt-imagine-upsample }
opt-edit-upsample-desc = { opt-imagine-upsample-desc }
opt-edit-safety = { opt-imagine-safety }
opt-edit-safety-desc = { opt-imagine-safety-desc }
choice-0 = 0 · strict
choice-1 = 1 · moderate
choice-2 = 2 · balanced
menu-edit-image = Edit image
cmd-help = help
cmd-help-desc = What this bot does, its commands, prompt tips, your quota and the prices.
cmd-history = history
cmd-history-desc = Your latest images in this server, newest first, with links to each.
opt-history-member = member
opt-history-member-desc = Whose images (Manage Server only); yours when empty
cmd-show = show
cmd-show-desc = Show one of your images again, privately, with its Re-roll, Edit and Delete buttons.
opt-show-job = job
opt-show-job-desc = The job id: on the image's last line, or in /history
cmd-quota = quota
cmd-quota-desc = See how many images you have left today, and this server's budget.
cmd-usage = usage
cmd-usage-desc = This server's image spend, top members, failures and refunds.
cmd-settings = settings
cmd-settings-desc = Image limits for this server
cmd-settings-show = show
cmd-settings-show-desc = Show this server's image settings.
cmd-settings-daily-limit = daily-limit
cmd-settings-daily-limit-desc = Set how many images each member may make per day.
opt-settings-daily-limit-images = images
opt-settings-daily-limit-images-desc = Images per member per day (0 turns generation off); leave empty for the default
cmd-settings-daily-cap = daily-cap
cmd-settings-daily-cap-desc = Cap this server's image spending per day (UTC).
opt-settings-daily-cap-amount = amount
opt-settings-daily-cap-amount-desc = Most this server may spend per day in USD, e.g. 5 or 12.50; 'none' removes the cap
cmd-settings-monthly-cap = monthly-cap
cmd-settings-monthly-cap-desc = Cap this server's image spending per month (UTC).
opt-settings-monthly-cap-amount = amount
opt-settings-monthly-cap-amount-desc = Most this server may spend per month in USD, e.g. 50; 'none' removes the cap
cmd-settings-max-mode = max-mode
cmd-settings-max-mode-desc = Allow or forbid max mode in this server.
opt-settings-max-mode-allowed = allowed
opt-settings-max-mode-allowed-desc = Whether members may use max mode (twice the price of pro)
cmd-settings-cooldown = cooldown
cmd-settings-cooldown-desc = Set a cooldown between one member's requests.
opt-settings-cooldown-seconds = seconds
opt-settings-cooldown-seconds-desc = Seconds a member must wait between requests (0: none)
cmd-settings-concurrent = concurrent
cmd-settings-concurrent-desc = Set how many images one member may have in progress at once.
opt-settings-concurrent-jobs = jobs
opt-settings-concurrent-jobs-desc = Images one member may have in progress at once; leave empty for the default
cmd-settings-channels = channels
cmd-settings-channels-desc = Choose the channels where the bot may be used.
opt-settings-channels-action = action
opt-settings-channels-action-desc = allow or disallow a channel, or let the bot work everywhere
opt-settings-channels-channel = channel
opt-settings-channels-channel-desc = The channel
choice-allow = allow
choice-disallow = disallow
choice-everywhere = everywhere
cmd-settings-watermark = watermark
cmd-settings-watermark-desc = Add a watermark to this server's images, or remove it.
opt-settings-watermark-text = text
opt-settings-watermark-text-desc = Text the image service adds to this server's images; leave empty to remove it
cmd-settings-role = role
cmd-settings-role-desc = Give a role its own daily image limit (members get the best of their roles), or clear it.
opt-settings-role-role = role
opt-settings-role-role-desc = The role
opt-settings-role-limit = limit
opt-settings-role-limit-desc = Images per day for its members: a number, 'unlimited', or 'clear'
cmd-settings-reset = reset
cmd-settings-reset-desc = Clear a member's image count for today.
opt-settings-reset-member = member
opt-settings-reset-member-desc = The member whose images today are forgotten (the money spent stays spent)

## Progress

progress-imagine = Imagining
progress-edit = Editing
progress-queued = ⏳ Queued
progress-submitting = 📨 Sending to the image service
progress-pending = 🕒 Waiting for the model
progress-processing = 🎨 Generating
progress-finished = 📥 Downloading the image
progress-delivering = 📤 Uploading
progress-in-line = { $state } — number { $position } in line
progress-ready = { $state } · ready { $when }
progress-late = { $state } · taking longer than usual

## Result cards

card-closest-ratio = { $ratio } (closest to the input image)
card-watermark = watermark “{ $text }”
card-no-watermark = no watermark
card-upsampling-on = upsampling on
card-upsampling-off = upsampling off
card-safety = safety { $level } ({ $name })
safety-0 = strict
safety-1 = moderate
safety-2 = balanced
card-translation-on = translation on
card-translation-off = translation off
card-facts = ⏱️ { $seconds } s · 💵 { $cost } · requested by <@{ $user }>
card-edited-from = edited from [this image]({ $url })
card-job = Job { $job }
card-task = task { $task }
card-too-large = The image is too large to upload here even after shrinking it, so here is a link instead (it expires after a while): { $url }
card-reencoded = Re-encoded to fit this channel's upload limit
card-shown-facts = 💵 { $cost } · made { $when } · requested by <@{ $user }>
card-original = [the original message]({ $url })
card-shown-only-to-you = shown only to you

## Failures

fail-title = Couldn't make this image
fail-declined = The image service declined this request.
fail-not-charged = **You were not charged** for this image: it doesn't count against your limits.
fail-prompt = Prompt
fail-footer = Job { $job }
fail-unknown = Something went wrong on my side while making this image.
fail-plain = { $mention } Couldn't make this image (job { $job }).
fail-plain-not-charged = { $mention } Couldn't make this image (job { $job }). You were not charged.
refusal-private-intro = Only you can see this. The image service declined your request (job { $job }).
refusal-private-outro = The message in the channel says only that it was declined.

## Buttons and modals

button-reroll = Re-roll
button-edit = Edit
button-delete = Delete
button-retry = Retry
button-dismiss = Dismiss
button-newer = Newer
button-older = Older
modal-edit-title = Edit this image
modal-menu-title = Edit image
modal-what-changes = What should change?
modal-which-image = Which image?
modal-edit-placeholder = e.g. make it night, keep everything else the same
modal-menu-placeholder = e.g. replace the sign's text with 'OPEN'
button-no-record = I no longer have the record of this image, so I can't do that. Start a new one with /imagine.
button-delete-refused = Only <@{ $user }> or members with **Manage Messages** can delete this image.
button-dismiss-refused = Only <@{ $user }> or members with **Manage Messages** can dismiss this message.
edit-no-image = This result has no image attached any more, so there is nothing to edit.
result-no-record = I have no record of where this image was posted, so I can't use it.
result-deleted = The message with this image was deleted, so I can't use it any more.
result-unreadable = I can no longer read the channel this image was posted in, so I can't use it.
error-menu-no-image = That message has no image I can see. Use **Edit image** on a message with an attached or linked image, or use `/edit` to upload one.

## Errors

later = later
not-charged = Nothing was charged.
quota-disabled = Image generation is turned off for you in this server. A server admin can change that in `/settings`.
quota-channel = I don't make images in this channel. Try { $channels }.
quota-channel-nowhere = I don't make images here.
quota-max-mode = This server doesn't allow **max** mode. Choose **pro** instead.
quota-cooldown = Please wait a little between requests: you can ask again { $when }.
quota-concurrency = { $used ->
        [one] You already have 1 image in progress
       *[other] You already have { $used } images in progress
    } (the limit is { $limit } at a time). Wait for one to finish.
quota-user-daily = { $limit ->
        [one] You've used your one image for today in this server. You can make more { $when }.
       *[other] You've used all { $limit } of your images for today in this server. You can make more { $when }.
    }
quota-global-daily = The bot has reached its owner's spending budget for today. It resets { $when }.
quota-guild-daily-reached = This server has reached its daily image budget of { $cap } ({ $used } spent). The budget resets { $when }.
quota-guild-monthly-reached = This server has reached its monthly image budget of { $cap } ({ $used } spent). The budget resets { $when }.
quota-guild-daily-left = This server has used { $used } of its { $cap } daily image budget; { $left } is left and this image costs { $needed }. The budget resets { $when }.
quota-guild-monthly-left = This server has used { $used } of its { $cap } monthly image budget; { $left } is left and this image costs { $needed }. The budget resets { $when }.
family-content-policy = The image service declined this under its content policy. Try rewording the prompt.
family-input-image = The image service could not use the input image: it must be a JPEG, PNG or WebP under 10 MB that it can download.
family-prompt = The image service could not use this prompt (too long, or not understood). Try rewording.
family-timeout = The image service took too long and gave up on this image. Try again.
family-model-unavailable = The model is unavailable at the moment. Try again in a few minutes.
family-out-of-credits = The bot's image service account is out of credits. Please tell the bot's owner.
family-unknown = The image service could not make this image.
service-said = The service said: “{ $words }”
task-line = Task { $task }
error-breaker = The image service is failing right now, so I'm not sending new requests for a moment. Please try again { $when }.
error-already-starting = Already on it: that request is being made right now.
error-storage = I'm temporarily unavailable: my database can't be reached right now. Please try again in a minute.
error-shutting-down = I'm restarting right now. Please try again in a few seconds.
error-submit-interrupted = I restarted while sending this request to the image service. To make sure you are never billed twice, I didn't send it again. Please run it again.
error-timed-out = The image was not ready after { $minutes ->
        [0] { $seconds ->
            [one] 1 second
           *[other] { $seconds } seconds
        }
        [one] 1 minute
       *[other] { $minutes } minutes
    }, so I stopped waiting. The image service may be overloaded; try again in a little while.
error-bot-missing-permissions = I can't do that here: I need the { $permissions } permission in this channel.
error-missing-permissions = You need the { $permissions } permission to do that.
error-no-private-message = This command works in servers, not in direct messages.
error-cooldown = Slow down a little: try again { $when }.
error-check-failure = You can't use this command here.
error-api-key = The image service refused the bot's API key. Please tell the bot's owner.
error-rate-limited = The image service is busy right now (rate limited). Please try again in a minute.
error-server = The image service is having trouble (error { $status }). Please try again shortly.
error-api-timeout = The image service did not answer in time. Please try again shortly.
error-api-connection = I couldn't reach the image service. Please try again shortly.
error-malformed = The image service sent an answer I couldn't read. Please try again shortly.
error-download-too-large = The finished image was larger than I'm willing to download.
error-image-too-large = The image service sent back a picture far larger than it ever makes, so I didn't open it. Please try again.
error-image-too-large-size = The image service sent back a picture far larger than it ever makes ({ $width } x { $height } pixels), so I didn't open it. Please try again.
error-not-an-image = The image service sent back something that isn't a JPEG, PNG or WebP image, so I didn't post it.
error-api-status = The image service refused the request (error { $status }): { $reason }
error-api-status-no-reason = no reason given
error-api-other = Something went wrong talking to the image service. Please try again.
error-unhandled = Something went wrong on my side. If it keeps happening, tell the bot's owner: ref `{ $ref }`.
error-unhandled-short = Something went wrong on my side. Please try again.
permission-send-messages = Send Messages
permission-attach-files = Attach Files
permission-embed-links = Embed Links
permission-read-message-history = Read Message History
permission-view-channel = View Channel
permission-manage-guild = Manage Server
permission-manage-messages = Manage Messages

## Replies to mentions

mention-how-to = Tell me what to do after the mention. Reply to a message with an image and write, for example, **@{ $name } make it night, keep everything else**, or attach an image to your message. With no image I make a new one from your words. There are also `/imagine`, `/edit`, and **Apps → Edit image** on any message.
mention-hidden = Discord doesn't let me see the image in that message, because it doesn't mention me. Use **Apps → Edit image** on it (right-click or long-press the message), attach the image to your message, or reply to one of my own images. (The bot's owner can also turn on the Message Content intent.)
mention-missing-permissions = I need the { $permissions } permission in this channel to make images here.
mention-reply-unseen = I can't see the message you replied to: it was deleted, or it is somewhere I can't read. Attach the image to your message instead, or use `/edit`.

## Help and welcome

help-title = FLUX Kontext: help
help-about = I make and change images with Black Forest Labs' **FLUX Kontext** model: describe a picture and I draw it, or point me at an image and say what to change. Edits chain: edit a result again and again with little drift.
help-commands-title = Commands
help-commands =
    `/imagine prompt` · make an image (options: aspect ratio, mode, format, upsampling, safety, count: up to 4)
    `/edit image prompt` · change an image you upload
    { "**" }@{ $name } instruction** as a reply to an image · edit that image (with no image: make one)
    { "**" }Apps → Edit image** on any message · edit an image in it
    { "**" }Re-roll** · **Edit** · **Delete** on every result · again, edit it further, remove it
    `/history` · your latest images here, with links · `/show job` · one again, with its buttons
    `/quota` · your images left today · `/help` · this
    Server admins (Manage Server): `/settings` for limits and caps, `/usage` for the spend
help-tips-title = Prompt tips (from Black Forest Labs' guide)
help-tips =
    • Be specific: subject, style, light, composition.
    • Say what to keep: *“keep the same face and pose”*.
    • Prefer *change* or *replace* to *transform*.
    • Put exact text in quotes: *Replace 'OPEN' with 'CLOSED'*.
    • Split a complex edit into steps, and describe what you want rather than what you don't.
    • Write in any language: prompts are sent as you type them, and the image service translates them.
help-your-images = Your images
help-prices = Prices
help-price-pro = **pro** { $price } per image
help-price-max = **max** { $price } per image (highest quality)
help-price-max-not-here = **max** { $price } per image (highest quality): not allowed in this server
help-price-who-pays = The bot's owner pays the image service; a failed image is refunded.
help-quota-unlimited = { $used ->
        [one] 1 image
       *[other] { $used } images
    } today, no daily limit.
help-quota = { $used } of { $limit ->
        [one] 1 image
       *[other] { $limit } images
    } today · **{ $left } left** · resets { $when }
welcome-title = Thanks for adding me!
welcome-try-title = Try it
welcome-try = `/imagine a lighthouse at dusk, oil painting`, or reply to an image with **@{ $name } make it night**. `/help` lists everything.
welcome-cost-title = What images cost
welcome-limits-title = Limits (admins with Manage Server)
welcome-limits =
    Each member may make { $daily ->
        [one] 1 image
       *[other] { $daily } images
    } a day and run { $concurrent ->
        [one] 1 image
       *[other] { $concurrent } images
    } at once; { $caps }.
    `/settings daily-limit` · images per member per day (0 turns generation off)
    `/settings daily-cap` · `/settings monthly-cap` · the server's spend in USD
    `/settings role` · a role's own daily limit · `/settings max-mode` · allow max
    `/settings channels` · where I may be used · `/settings batch` · images per request
    `/settings pings` · a ping when an image is ready · `/settings safety` · the safety limit
    `/settings show` · all of it · `/usage` · the spend
welcome-no-caps = no server spend cap is set yet
welcome-cap-day = the server may spend { $day } per day
welcome-cap-month = the server may spend { $month } per month
welcome-cap-both = the server may spend { $day } per day and { $month } per month

## Quota, usage and settings

quota-title = Your images
quota-today = Today
quota-unlimited = unlimited
quota-used-of = { $used } of { $limit }
quota-left = · **{ $left } left**
quota-resets = Resets { $when }
quota-running = Running now: { $running } of { $max }
quota-server-budget = Server budget
no-cap = no cap
spend-lines =
    Today: **{ $today }** of { $daycap }, resets { $dayreset }
    This month: **{ $month }** of { $monthcap }, resets { $monthreset }
usage-title = Image usage in this server
usage-spend = Spend
usage-today = Today
usage-month = This month
usage-leader = <@{ $user }>: { $images ->
        [one] 1 image
       *[other] { $images } images
    }, { $cost }
usage-nobody = nobody yet
usage-totals =
    Images made: { $made } ({ $madecost })
    Failed and refunded: { $refunded } ({ $refundedcost })
    Running: { $running }
    { "**" }Top members**
    { $leaders }
settings-title = Image settings for this server
settings-daily-limit-title = Daily image limit updated
settings-daily-cap-title = Daily spend cap updated
settings-monthly-cap-title = Monthly spend cap updated
settings-max-mode-title = Max mode updated
settings-cooldown-title = Cooldown updated
settings-concurrent-title = Jobs at once updated
settings-channels-title = Channels updated
settings-watermark-title = Watermark updated
settings-role-title = Role tiers updated
settings-images-per-day = Images per member per day
settings-bot-default = (bot default)
settings-generation-off = · generation off
settings-role-tiers = Role tiers
settings-none = none
settings-spend-caps = Server spend caps
settings-caps =
    per day: { $day }
    per month: { $month }
settings-max-mode = Max mode
settings-allowed = allowed
settings-not-allowed = not allowed
settings-cooldown = Cooldown
settings-seconds = { $seconds } s
settings-jobs-at-once = Jobs at once per member
settings-channels = Channels
settings-everywhere = everywhere
settings-watermark = Watermark
settings-bad-amount = `{ $text }` is not an amount in US dollars: write it like `5` or `12.50`, or `none`.
settings-bad-tier = Give the role a number of images per day, `unlimited`, or `clear` to remove its tier.
settings-pick-channel-allow = Pick the channel to allow.
settings-pick-channel-disallow = Pick the channel to disallow.
settings-reset-done = { $member } starts today afresh: { $used } used.
settings-reset-used = { $limit ->
        [none] { $used ->
            [one] 1 image
           *[other] { $used } images
        }
       *[other] { $used } of { $limit ->
            [one] 1 image
           *[other] { $limit } images
        }
    }

## History

history-yours = Your images in this server
history-theirs = Images by <@{ $user }> in this server
history-page = Page { $page } · newest first
history-empty-yours = Nothing here yet: make an image with `/imagine`.
history-empty-theirs = No images here.
history-no-older = No older images.
history-open = open
history-show-hint = `/show job:` brings one back here with its buttons.
history-not-your-buttons = These buttons are <@{ $user }>'s. `/history` shows your own images.
history-manage-server-only = Only members with **Manage Server** can see another member's images.
history-manage-server-only-yours = Only members with **Manage Server** can see another member's images. `/history` shows yours.
show-not-found = I have no image with job id { $job } in this server. `/history` lists yours.
show-not-yours = That image is <@{ $user }>'s: only they or members with **Manage Server** can show it.
show-not-finished = This job has no image to show: it failed, or it isn't finished yet.

## Requests the image service would refuse (from the domain's codes)

invalid-prompt-empty = The prompt is empty: describe the image you want.
invalid-prompt-too-long = The prompt is { $length } characters long; the limit is { $limit }.
invalid-mode = Unknown mode: choose one of { $choices }.
invalid-aspect-ratio = Unknown aspect ratio: choose one of { $choices }.
invalid-format = Unknown format: choose one of { $choices }.
invalid-safety = Safety tolerance must be 0 (strict), 1 (moderate) or 2 (balanced).
invalid-image-url = The input image must be an http(s) URL.
invalid-image-empty = { $file } is empty (0 bytes); attach the image again.
invalid-image-type = { $file } is { $type }; I can edit JPEG, PNG and WebP images only.
invalid-image-type-unknown = { $file } is an unknown type; I can edit JPEG, PNG and WebP images only.
invalid-image-too-big = { $file } is { $megabytes } MB; the image service takes images up to 10 MB.
invalid-image-unreadable = Discord couldn't read { $file } as an image: it is damaged or not really a { $format }. Save it again and attach the new file.
invalid-link-refused = I can't use the image at that link. Link a JPEG, PNG or WebP image of up to 10 MB that anyone can open, or attach the file instead.
settings-refused = { $reason }
setting-role-limit = A role's daily image limit must be a whole number from 0 to { $max }, or unlimited.
setting-channels-too-many = At most { $max } channels can be allowed; leave the list empty to allow every one.

## Batches, safety per channel, personal use and pings

opt-imagine-count = count
opt-imagine-count-desc = How many images to make, 1-4 (each is charged; the server may allow fewer)
opt-edit-count = { opt-imagine-count }
opt-edit-count-desc = { opt-imagine-count-desc }
cmd-settings-batch = batch
cmd-settings-batch-desc = Set how many images one /imagine or /edit may ask for (each is charged).
opt-settings-batch-images = images
opt-settings-batch-images-desc = Most images one request may ask for (1-4); leave empty for the default
cmd-settings-safety = safety
cmd-settings-safety-desc = Limit how permissive image safety may be in this server, and in its age-restricted channels.
opt-settings-safety-level = level
opt-settings-safety-level-desc = The most permissive safety level members may use here; higher requests are lowered to it
opt-settings-safety-age-restricted = age_restricted
opt-settings-safety-age-restricted-desc = Allow the most permissive level (2) only, and always, in age-restricted channels
cmd-settings-pings = pings
cmd-settings-pings-desc = Choose whether members are pinged when their image is ready.
opt-settings-pings-on = on
opt-settings-pings-on-desc = On: a finished image comes as a new message that pings its requester; off: no ping
card-safety-lowered = , lowered from { $level } ({ $name }): the most allowed here
progress-imagine-batch = Imagining { $count } images
progress-edit-batch = Editing { $count } images
progress-done = { $state } · { $done } of { $total } done
# The collapsed placeholder: "✅ <this> <link to the result> · prompt" (the ✅ and the link are added by the bot).
ping-ready = Ready:
batch-facts = 🖼️ { $made } of { $size } images · ⏱️ { $seconds } s · 💵 { $cost } · requested by <@{ $user }>
batch-image-failed = ⚠️ **Image { $number } failed**: { $reason }
batch-failed-not-charged = { $count ->
        [one] You were not charged for the 1 failed image.
       *[other] You were not charged for the { $count } failed images.
    }
batch-image-too-large = Image { $number } is too large to upload here, so here is a link (it expires after a while): { $url }
batch-image-alt = Image { $number }: { $prompt }
batch-image-gone = Image { $number } is no longer on this message, so there is nothing to edit.
button-reroll-all = Re-roll all
button-edit-n = Edit { $number }
button-reroll-n = Re-roll { $number }
invalid-batch-limit = This server allows up to { $limit ->
        [one] 1 image
       *[other] { $limit } images
    } per request; you asked for { $count }. Nothing was charged.
quota-batch-daily = This request is for { $images } images, but you have only { $remaining ->
        [one] 1 image
       *[other] { $remaining } images
    } left today in this server (of { $limit }). Ask for { $remaining } or fewer, or for more { $when }.
quota-guild-daily-left-batch = This server has used { $used } of its { $cap } daily image budget; { $left } is left and this batch of { $images } images costs { $needed }. The budget resets { $when }.
quota-guild-monthly-left-batch = This server has used { $used } of its { $cap } monthly image budget; { $left } is left and this batch of { $images } images costs { $needed }. The budget resets { $when }.
personal-limit-reached = { $limit ->
        [one] You've used your one personal image
       *[other] You've used all { $limit } of your personal images
    } for today (outside servers that added me, everyone gets { $limit } a day). You can make more { $when }.
personal-generation-off = The bot's owner has turned image making off outside servers that added the bot.
personal-long-job = Discord lets me update this message for 15 minutes. If your image takes longer, I'll send it to you by DM; if your DMs are closed, it waits for you in `/history`.
personal-by-dm = Your image (job `{ $job }`) took longer than the 15 minutes Discord gives me to answer where you asked, so here it is by DM.
personal-nothing-kept = I can't bring job `{ $job }` back: it was shown where I can't read it (a group DM or a server without me), and the image service's copy has expired.
dm-help-intro = I make images from slash commands, here too: try `/imagine` in this DM. Here is what I can do.
history-yours-personal = Your images outside servers that added me (DMs, group DMs, other servers)
history-theirs-personal = Images by <@{ $user }> outside servers that added me (DMs, group DMs, other servers)
show-not-found-personal = I have no image with job id { $job } outside servers that added me (DMs, group DMs, other servers). `/history` lists yours.
quota-where = Where this applies
quota-personal-note = This is your personal daily limit: it applies in DMs, group DMs and servers that haven't added me. In a server that added me, that server's limits apply.
settings-images-per-request = Images per request
settings-up-to = up to { $count }
settings-safety = Safety
settings-safety-at-most = at most { $level } ({ $name })
settings-safety-age-restricted = ; { $level } ({ $name }) in age-restricted channels only
settings-pings = Ping when ready
settings-pings-on = on: a new message pings the requester
settings-pings-off = off: shown in place, no ping
settings-batch-title = Images per request updated
settings-safety-title = Safety updated
settings-pings-title = Pings updated
