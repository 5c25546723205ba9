# 日本語 (ja)。en-US.ftl と同じキーと同じプレースホルダー。「FLUX Kontext」「pro」「max」はそのまま。

## コマンド、オプション、選択肢

cmd-imagine = 画像生成
cmd-imagine-desc = FLUX Kontext でプロンプトから画像を作ります。
opt-imagine-prompt = プロンプト
opt-imagine-prompt-desc = 作りたいもの(被写体、スタイル、光などを具体的に)
opt-imagine-aspect-ratio = アスペクト比
opt-imagine-aspect-ratio-desc = 画像の形(既定は 16:9)
opt-imagine-mode = モード
opt-imagine-mode-desc = pro は速くて安価、max は最高品質
opt-imagine-format = 形式
opt-imagine-format-desc = 結果のファイル形式(既定は jpeg)
opt-imagine-upsample = プロンプト拡張
opt-imagine-upsample-desc = 先にモデルにプロンプトを膨らませてもらう
opt-imagine-safety = セーフティ
opt-imagine-safety-desc = コンテンツのモデレーション:0 厳格 … 2 標準(既定:このチャンネルで許可される上限)
cmd-edit = 画像編集
cmd-edit-desc = FLUX Kontext で、指示どおりに画像を変更します。
opt-edit-image = 画像
opt-edit-image-desc = 変更する画像(JPEG、PNG、WebP、10 MB まで)
opt-edit-prompt = プロンプト
opt-edit-prompt-desc = 変更内容。例:「夜にして、ほかはそのまま」
opt-edit-aspect-ratio = { opt-imagine-aspect-ratio }
opt-edit-aspect-ratio-desc = 結果の形(既定は元の画像に最も近い比率)
opt-edit-mode = { opt-imagine-mode }
opt-edit-mode-desc = { opt-imagine-mode-desc }
opt-edit-format = { opt-imagine-format }
opt-edit-format-desc = { opt-imagine-format-desc }
opt-edit-upsample = { opt-imagine-upsample }
opt-edit-upsample-desc = { opt-imagine-upsample-desc }
opt-edit-safety = { opt-imagine-safety }
opt-edit-safety-desc = { opt-imagine-safety-desc }
choice-0 = 0 · 厳格
choice-1 = 1 · 中程度
choice-2 = 2 · 標準
menu-edit-image = 画像を編集
cmd-help = ヘルプ
cmd-help-desc = このボットでできること、コマンド、プロンプトのコツ、残り回数と料金。
cmd-history = 履歴
cmd-history-desc = このサーバーで作ったあなたの最近の画像(新しい順、各画像へのリンク付き)。
opt-history-member = メンバー
opt-history-member-desc = 誰の画像か(サーバー管理の権限が必要)。空欄ならあなたの画像
cmd-show = 表示
cmd-show-desc = あなたの画像をもう一度、自分だけに表示します(再生成・編集・削除ボタン付き)。
opt-show-job = ジョブ
opt-show-job-desc = ジョブ ID:画像の最後の行か /履歴 にあります
cmd-quota = 残り回数
cmd-quota-desc = 今日あと何枚作れるかと、このサーバーの予算を確認します。
cmd-usage = 利用状況
cmd-usage-desc = このサーバーの画像の支出、よく使うメンバー、失敗と返金。
cmd-settings = 設定
cmd-settings-desc = このサーバーの画像の上限
cmd-settings-show = 表示
cmd-settings-show-desc = このサーバーの画像設定を表示します。
cmd-settings-daily-limit = 1日の枚数
cmd-settings-daily-limit-desc = 各メンバーが1日に作れる画像の枚数を設定します。
opt-settings-daily-limit-images = 枚数
opt-settings-daily-limit-images-desc = メンバー1人あたり1日の枚数(0 で生成オフ)。空欄で既定値
cmd-settings-daily-cap = 1日の予算
cmd-settings-daily-cap-desc = このサーバーの1日あたりの画像の支出に上限を設けます(UTC)。
opt-settings-daily-cap-amount = 金額
opt-settings-daily-cap-amount-desc = 1日の最大支出(USD)。例:5 や 12.50。「none」で上限を解除
cmd-settings-monthly-cap = 月の予算
cmd-settings-monthly-cap-desc = このサーバーの1か月あたりの画像の支出に上限を設けます(UTC)。
opt-settings-monthly-cap-amount = 金額
opt-settings-monthly-cap-amount-desc = 1か月の最大支出(USD)。例:50。「none」で上限を解除
cmd-settings-max-mode = maxモード
cmd-settings-max-mode-desc = このサーバーで max モードを許可または禁止します。
opt-settings-max-mode-allowed = 許可
opt-settings-max-mode-allowed-desc = メンバーが max モード(pro の2倍の料金)を使えるかどうか
cmd-settings-cooldown = クールダウン
cmd-settings-cooldown-desc = 同じメンバーのリクエストの間隔を設定します。
opt-settings-cooldown-seconds = 秒数
opt-settings-cooldown-seconds-desc = リクエストの間にメンバーが待つ秒数(0:なし)
cmd-settings-concurrent = 同時実行
cmd-settings-concurrent-desc = 1人のメンバーが同時に進められる画像の数を設定します。
opt-settings-concurrent-jobs = ジョブ数
opt-settings-concurrent-jobs-desc = メンバー1人が同時に進められる画像の数。空欄で既定値
cmd-settings-channels = チャンネル
cmd-settings-channels-desc = ボットを使えるチャンネルを選びます。
opt-settings-channels-action = 操作
opt-settings-channels-action-desc = チャンネルを許可・禁止する、またはどこでも使えるようにする
opt-settings-channels-channel = チャンネル
opt-settings-channels-channel-desc = 対象のチャンネル
choice-allow = 許可
choice-disallow = 禁止
choice-everywhere = どこでも
cmd-settings-watermark = 透かし
cmd-settings-watermark-desc = このサーバーの画像に透かしを入れる、または外します。
opt-settings-watermark-text = テキスト
opt-settings-watermark-text-desc = 画像サービスがこのサーバーの画像に入れる文字。空欄で削除
cmd-settings-role = ロール
cmd-settings-role-desc = ロールに独自の1日の上限を設定(メンバーには最も有利なものが適用)、または解除します。
opt-settings-role-role = ロール
opt-settings-role-role-desc = 対象のロール
opt-settings-role-limit = 上限
opt-settings-role-limit-desc = そのメンバーの1日の枚数:数値、「unlimited」、または「clear」
cmd-settings-reset = リセット
cmd-settings-reset-desc = メンバーの今日の画像カウントをリセットします。
opt-settings-reset-member = メンバー
opt-settings-reset-member-desc = 今日の画像を数え直すメンバー(支出した金額は戻りません)

## 進行状況

progress-imagine = 生成中
progress-edit = 編集中
progress-queued = ⏳ 順番待ち
progress-submitting = 📨 画像サービスに送信中
progress-pending = 🕒 モデルを待っています
progress-processing = 🎨 生成しています
progress-finished = 📥 画像をダウンロード中
progress-delivering = 📤 アップロード中
progress-in-line = { $state } — { $position } 番目
progress-ready = { $state } · 完成予定 { $when }
progress-late = { $state } · いつもより時間がかかっています

## 結果カード

card-closest-ratio = { $ratio }(元の画像に最も近い比率)
card-watermark = 透かし「{ $text }」
card-no-watermark = 透かしなし
card-upsampling-on = プロンプト拡張オン
card-upsampling-off = プロンプト拡張オフ
card-safety = セーフティ { $level }({ $name })
safety-0 = 厳格
safety-1 = 中程度
safety-2 = 標準
card-translation-on = 翻訳オン
card-translation-off = 翻訳オフ
card-facts = ⏱️ { $seconds } 秒 · 💵 { $cost } · リクエスト:<@{ $user }>
card-edited-from = [この画像]({ $url })を編集
card-job = ジョブ { $job }
card-task = タスク { $task }
card-too-large = 縮小してもここにアップロードできない大きさのため、代わりにリンクを載せます(しばらくすると期限切れになります):{ $url }
card-reencoded = このチャンネルのアップロード上限に合わせて再エンコードしました
card-shown-facts = 💵 { $cost } · 作成 { $when } · リクエスト:<@{ $user }>
card-original = [元のメッセージ]({ $url })
card-shown-only-to-you = あなたにだけ表示されています

## 失敗

fail-title = この画像を作れませんでした
fail-declined = 画像サービスがこのリクエストを断りました。
fail-not-charged = この画像の料金は**請求されていません**。上限にも数えられません。
fail-prompt = プロンプト
fail-footer = ジョブ { $job }
fail-unknown = この画像の作成中に、こちら側で問題が起きました。
fail-plain = { $mention } この画像を作れませんでした(ジョブ { $job })。
fail-plain-not-charged = { $mention } この画像を作れませんでした(ジョブ { $job })。料金は請求されていません。
refusal-private-intro = これはあなたにだけ見えています。画像サービスがあなたのリクエストを断りました(ジョブ { $job })。
refusal-private-outro = チャンネルのメッセージには、断られたことだけが表示されています。

## ボタンとダイアログ

button-reroll = 再生成
button-edit = 編集
button-delete = 削除
button-retry = 再試行
button-dismiss = 閉じる
button-newer = 新しい順へ
button-older = 古い順へ
modal-edit-title = この画像を編集
modal-menu-title = 画像を編集
modal-what-changes = 何を変えますか?
modal-which-image = どの画像?
modal-edit-placeholder = 例:夜にして、ほかはすべてそのまま
modal-menu-placeholder = 例:看板の文字を「OPEN」に置き換えて
button-no-record = この画像の記録がもうないため、その操作はできません。/画像生成 で新しく作ってください。
button-delete-refused = この画像を削除できるのは <@{ $user }> か、**メッセージの管理** 権限を持つメンバーだけです。
button-dismiss-refused = このメッセージを閉じられるのは <@{ $user }> か、**メッセージの管理** 権限を持つメンバーだけです。
edit-no-image = この結果には画像が添付されていないため、編集するものがありません。
result-no-record = この画像がどこに投稿されたかの記録がないため、使えません。
result-deleted = この画像のメッセージは削除されたため、もう使えません。
result-unreadable = この画像が投稿されたチャンネルをもう読めないため、使えません。
error-menu-no-image = そのメッセージには見える画像がありません。画像が添付またはリンクされたメッセージで **画像を編集** を使うか、`/画像編集` で画像をアップロードしてください。

## エラー

later = あとで
not-charged = 料金は請求されていません。
quota-disabled = このサーバーでは、あなたの画像生成はオフになっています。サーバーの管理者が `/設定` で変更できます。
quota-channel = このチャンネルでは画像を作りません。{ $channels } で試してください。
quota-channel-nowhere = ここでは画像を作りません。
quota-max-mode = このサーバーでは **max** モードが許可されていません。代わりに **pro** を選んでください。
quota-cooldown = リクエストの間は少し待ってください。{ $when }にもう一度リクエストできます。
quota-concurrency = すでに { $used } 枚の画像を作成中です(同時に { $limit } 枚まで)。どれかが終わるまでお待ちください。
quota-user-daily = このサーバーでの今日の { $limit } 枚をすべて使いました。{ $when }にまた作れます。
quota-global-daily = ボットが所有者の決めた今日の予算に達しました。{ $when }にリセットされます。
quota-guild-daily-reached = このサーバーは1日の画像予算 { $cap } に達しました({ $used } 使用済み)。予算は{ $when }にリセットされます。
quota-guild-monthly-reached = このサーバーは月の画像予算 { $cap } に達しました({ $used } 使用済み)。予算は{ $when }にリセットされます。
quota-guild-daily-left = このサーバーは1日の画像予算 { $cap } のうち { $used } を使いました。残りは { $left } で、この画像は { $needed } かかります。予算は{ $when }にリセットされます。
quota-guild-monthly-left = このサーバーは月の画像予算 { $cap } のうち { $used } を使いました。残りは { $left } で、この画像は { $needed } かかります。予算は{ $when }にリセットされます。
family-content-policy = 画像サービスがコンテンツポリシーに基づいて断りました。プロンプトを言い換えてみてください。
family-input-image = 画像サービスが元の画像を使えませんでした。ダウンロード可能な 10 MB 未満の JPEG、PNG、WebP である必要があります。
family-prompt = 画像サービスがこのプロンプトを使えませんでした(長すぎるか、理解できませんでした)。言い換えてみてください。
family-timeout = 画像サービスの処理に時間がかかりすぎ、この画像は中止されました。もう一度お試しください。
family-model-unavailable = 現在モデルを利用できません。数分後にもう一度お試しください。
family-out-of-credits = ボットの画像サービスのアカウントのクレジットが尽きました。ボットの所有者に知らせてください。
family-unknown = 画像サービスがこの画像を作れませんでした。
service-said = サービスからのメッセージ:「{ $words }」
task-line = タスク { $task }
error-breaker = 画像サービスで障害が起きているため、しばらく新しいリクエストを送っていません。{ $when }にもう一度お試しください。
error-already-starting = すでに対応中です。そのリクエストは今まさに処理されています。
error-storage = 一時的に利用できません。現在データベースに接続できません。1分後にもう一度お試しください。
error-shutting-down = ただいま再起動中です。数秒後にもう一度お試しください。
error-submit-interrupted = このリクエストを画像サービスに送っている途中で再起動しました。二重に請求されないよう、再送はしていません。もう一度実行してください。
error-timed-out = { $minutes ->
        [0] { $seconds } 秒
       *[other] { $minutes } 分
    }待っても画像ができなかったため、待つのをやめました。画像サービスが混み合っているかもしれません。少し時間をおいてお試しください。
error-bot-missing-permissions = ここではできません。このチャンネルで { $permissions } 権限が必要です。
error-missing-permissions = その操作には { $permissions } 権限が必要です。
error-no-private-message = このコマンドはサーバーで使えます。DM では使えません。
error-cooldown = 少しペースを落としてください。{ $when }にもう一度お試しください。
error-check-failure = ここではこのコマンドを使えません。
error-api-key = 画像サービスがボットの API キーを拒否しました。ボットの所有者に知らせてください。
error-rate-limited = 画像サービスが混み合っています(レート制限)。1分後にもう一度お試しください。
error-server = 画像サービスで問題が起きています(エラー { $status })。しばらくしてからもう一度お試しください。
error-api-timeout = 画像サービスから時間内に応答がありませんでした。しばらくしてからもう一度お試しください。
error-api-connection = 画像サービスに接続できませんでした。しばらくしてからもう一度お試しください。
error-malformed = 画像サービスから読めない応答が届きました。しばらくしてからもう一度お試しください。
error-download-too-large = 完成した画像が、ダウンロードできる大きさを超えていました。
error-image-too-large = 画像サービスから通常ではありえないほど大きな画像が届いたため、開きませんでした。もう一度お試しください。
error-image-too-large-size = 画像サービスから通常ではありえないほど大きな画像({ $width } x { $height } ピクセル)が届いたため、開きませんでした。もう一度お試しください。
error-not-an-image = 画像サービスから JPEG、PNG、WebP 以外のものが届いたため、投稿しませんでした。
error-api-status = 画像サービスがリクエストを拒否しました(エラー { $status }):{ $reason }
error-api-status-no-reason = 理由は示されていません
error-api-other = 画像サービスとの通信で問題が起きました。もう一度お試しください。
error-unhandled = こちら側で問題が起きました。繰り返し起きる場合はボットの所有者に知らせてください:参照 `{ $ref }`
error-unhandled-short = こちら側で問題が起きました。もう一度お試しください。
permission-send-messages = メッセージを送信
permission-attach-files = ファイルを添付
permission-embed-links = 埋め込みリンク
permission-read-message-history = メッセージ履歴を読む
permission-view-channel = チャンネルを見る
permission-manage-guild = サーバー管理
permission-manage-messages = メッセージの管理

## メンションへの返信

mention-how-to = メンションのあとに、してほしいことを書いてください。画像のあるメッセージに返信して、たとえば **@{ $name } 夜にして、ほかはそのまま** と書くか、メッセージに画像を添付してください。画像がなければ、言葉から新しい画像を作ります。`/画像生成`、`/画像編集`、どのメッセージでも使える **アプリ → 画像を編集** もあります。
mention-hidden = そのメッセージは私をメンションしていないため、Discord がその画像を見せてくれません。メッセージで **アプリ → 画像を編集** を使う(右クリックまたは長押し)、画像をメッセージに添付する、または私の画像に返信してください。(ボットの所有者が Message Content インテントを有効にすることもできます。)
mention-missing-permissions = ここで画像を作るには、このチャンネルで { $permissions } 権限が必要です。
mention-reply-unseen = 返信先のメッセージが見えません。削除されたか、私が読めない場所にあります。画像をメッセージに添付するか、`/画像編集` を使ってください。

## ヘルプと歓迎

help-title = FLUX Kontext:ヘルプ
help-about = Black Forest Labs の **FLUX Kontext** モデルで画像を作ったり変えたりします。描きたいものを説明すれば描き、画像を示して変えたいことを言えば変更します。編集は重ねられます。結果を何度編集しても崩れにくいのが特長です。
help-commands-title = コマンド
help-commands =
    `/画像生成 プロンプト` · 画像を作る(オプション:アスペクト比、モード、形式、プロンプト拡張、セーフティ、枚数:最大4)
    `/画像編集 画像 プロンプト` · アップロードした画像を変える
    画像への返信で { "**" }@{ $name } 指示** · その画像を編集(画像がなければ新しく作る)
    どのメッセージでも { "**" }アプリ → 画像を編集** · その中の画像を編集
    各結果の { "**" }再生成** · **編集** · **削除** · もう一度、さらに編集、削除
    `/履歴` · ここでの最近の画像とリンク · `/表示 ジョブ` · 1枚をボタン付きでもう一度
    `/残り回数` · 今日の残り枚数 · `/ヘルプ` · このヘルプ
    サーバー管理者(サーバー管理):`/設定` で上限と予算、`/利用状況` で支出
help-tips-title = プロンプトのコツ(Black Forest Labs のガイドより)
help-tips =
    • 具体的に:被写体、スタイル、光、構図。
    • 残したいものを書く:*「同じ顔とポーズのまま」*。
    • *変身させる* より *変える* や *置き換える* を。
    • 正確な文字は引用符で:*'OPEN' を 'CLOSED' に置き換えて*。
    • 複雑な編集は段階に分け、望まないことより望むことを書く。
    • どの言語でも書けます。プロンプトは入力どおりに送られ、画像サービスが翻訳します。
help-your-images = あなたの画像
help-prices = 料金
help-price-pro = **pro** 1枚 { $price }
help-price-max = **max** 1枚 { $price }(最高品質)
help-price-max-not-here = **max** 1枚 { $price }(最高品質):このサーバーでは使えません
help-price-who-pays = 画像サービスの料金はボットの所有者が支払います。失敗した画像は返金されます。
help-quota-unlimited = 今日 { $used } 枚、1日の上限なし。
help-quota = 今日 { $used } / { $limit } 枚 · **残り { $left } 枚** · リセット { $when }
welcome-title = 追加していただきありがとうございます!
welcome-try-title = 試してみよう
welcome-try = `/画像生成 夕暮れの灯台、油絵` と入力するか、画像に **@{ $name } 夜にして** と返信してください。`/ヘルプ` ですべて確認できます。
welcome-cost-title = 画像の料金
welcome-limits-title = 上限(サーバー管理の権限を持つ管理者向け)
welcome-limits =
    各メンバーは1日 { $daily } 枚まで作れ、同時に { $concurrent } 枚まで進められます。{ $caps }。
    `/設定 1日の枚数` · メンバー1人あたり1日の枚数(0 で生成オフ)
    `/設定 1日の予算` · `/設定 月の予算` · サーバーの支出(USD)
    `/設定 ロール` · ロールごとの1日の上限 · `/設定 maxモード` · max を許可
    `/設定 チャンネル` · 使える場所 · `/設定 一括枚数` · 1回あたりの枚数
    `/設定 通知` · 画像ができたときの通知 · `/設定 セーフティ` · セーフティの上限
    `/設定 表示` · すべての設定 · `/利用状況` · 支出
welcome-no-caps = サーバーの支出上限はまだ設定されていません
welcome-cap-day = サーバーは1日 { $day } まで使えます
welcome-cap-month = サーバーは1か月 { $month } まで使えます
welcome-cap-both = サーバーは1日 { $day }、1か月 { $month } まで使えます

## 残り回数、利用状況、設定

quota-title = あなたの画像
quota-today = 今日
quota-unlimited = 無制限
quota-used-of = { $used } / { $limit }
quota-left = · **残り { $left }**
quota-resets = リセット { $when }
quota-running = 実行中:{ $running } / { $max }
quota-server-budget = サーバーの予算
no-cap = 上限なし
spend-lines =
    今日:**{ $today }** / { $daycap }、リセット { $dayreset }
    今月:**{ $month }** / { $monthcap }、リセット { $monthreset }
usage-title = このサーバーの画像の利用状況
usage-spend = 支出
usage-today = 今日
usage-month = 今月
usage-leader = <@{ $user }>:{ $images } 枚、{ $cost }
usage-nobody = まだいません
usage-totals =
    作成した画像:{ $made }({ $madecost })
    失敗して返金:{ $refunded }({ $refundedcost })
    実行中:{ $running }
    { "**" }よく使うメンバー**
    { $leaders }
settings-title = このサーバーの画像設定
settings-daily-limit-title = 1日の枚数を更新しました
settings-daily-cap-title = 1日の予算を更新しました
settings-monthly-cap-title = 月の予算を更新しました
settings-max-mode-title = max モードを更新しました
settings-cooldown-title = クールダウンを更新しました
settings-concurrent-title = 同時実行数を更新しました
settings-channels-title = チャンネルを更新しました
settings-watermark-title = 透かしを更新しました
settings-role-title = ロールごとの上限を更新しました
settings-images-per-day = メンバー1人あたり1日の枚数
settings-bot-default = (ボットの既定値)
settings-generation-off = · 生成オフ
settings-role-tiers = ロールごとの上限
settings-none = なし
settings-spend-caps = サーバーの支出上限
settings-caps =
    1日:{ $day }
    1か月:{ $month }
settings-max-mode = max モード
settings-allowed = 許可
settings-not-allowed = 不許可
settings-cooldown = クールダウン
settings-seconds = { $seconds } 秒
settings-jobs-at-once = メンバー1人あたりの同時実行数
settings-channels = チャンネル
settings-everywhere = どこでも
settings-watermark = 透かし
settings-bad-amount = `{ $text }` は米ドルの金額ではありません。`5` や `12.50`、または `none` のように書いてください。
settings-bad-tier = ロールには1日の枚数、`unlimited`、または上限を外す `clear` を指定してください。
settings-pick-channel-allow = 許可するチャンネルを選んでください。
settings-pick-channel-disallow = 禁止するチャンネルを選んでください。
settings-reset-done = { $member } の今日のカウントをリセットしました:{ $used } 使用。
settings-reset-used = { $limit ->
        [none] { $used } 枚
       *[other] { $used } / { $limit } 枚
    }

## 履歴

history-yours = このサーバーでのあなたの画像
history-theirs = このサーバーでの <@{ $user }> の画像
history-page = { $page } ページ目 · 新しい順
history-empty-yours = まだありません。`/画像生成` で画像を作りましょう。
history-empty-theirs = ここには画像がありません。
history-no-older = これより古い画像はありません。
history-open = 開く
history-show-hint = `/表示 ジョブ:` でボタン付きでここにもう一度表示できます。
history-not-your-buttons = これらのボタンは <@{ $user }> のものです。`/履歴` で自分の画像を見られます。
history-manage-server-only = ほかのメンバーの画像を見られるのは **サーバー管理** 権限を持つメンバーだけです。
history-manage-server-only-yours = ほかのメンバーの画像を見られるのは **サーバー管理** 権限を持つメンバーだけです。`/履歴` であなたの画像を見られます。
show-not-found = このサーバーにはジョブ ID { $job } の画像がありません。`/履歴` であなたの画像を一覧できます。
show-not-yours = その画像は <@{ $user }> のものです。表示できるのは本人か **サーバー管理** 権限を持つメンバーだけです。
show-not-finished = このジョブには表示できる画像がありません。失敗したか、まだ終わっていません。

## 画像サービスが断るリクエスト

invalid-prompt-empty = プロンプトが空です。作りたい画像を説明してください。
invalid-prompt-too-long = プロンプトが { $length } 文字あります。上限は { $limit } 文字です。
invalid-mode = 不明なモードです。{ $choices } から選んでください。
invalid-aspect-ratio = 不明なアスペクト比です。{ $choices } から選んでください。
invalid-format = 不明な形式です。{ $choices } から選んでください。
invalid-safety = セーフティは 0(厳格)、1(中程度)、2(標準)のいずれかです。
invalid-image-url = 元の画像は http(s) の URL である必要があります。
invalid-image-empty = { $file } は空(0 バイト)です。画像をもう一度添付してください。
invalid-image-type = { $file } は { $type } です。編集できるのは JPEG、PNG、WebP の画像だけです。
invalid-image-type-unknown = { $file } は不明な種類です。編集できるのは JPEG、PNG、WebP の画像だけです。
invalid-image-too-big = { $file } は { $megabytes } MB です。画像サービスが受け付けるのは 10 MB までです。
invalid-image-unreadable = Discord は { $file } を画像として読めませんでした。壊れているか、実際には { $format } ではありません。保存し直して、新しいファイルを添付してください。
invalid-link-refused = そのリンクの画像は使えません。誰でも開ける 10 MB までの JPEG、PNG、WebP 画像にリンクするか、ファイルを添付してください。
settings-refused = 設定を変更できません:{ $reason }
setting-role-limit = ロールの1日の上限は 0 から { $max } までの整数か、無制限にしてください。
setting-channels-too-many = 許可できるチャンネルは最大 { $max } 個です。すべて許可するにはリストを空にしてください。

## まとめて生成、チャンネルごとのセーフティ、個人での利用、通知

opt-imagine-count = 枚数
opt-imagine-count-desc = 作る画像の枚数、1〜4(1枚ごとに課金。サーバーがより少なく制限することもあります)
opt-edit-count = { opt-imagine-count }
opt-edit-count-desc = { opt-imagine-count-desc }
cmd-settings-batch = 一括枚数
cmd-settings-batch-desc = 1回の /画像生成 や /画像編集 で頼める枚数を設定します(1枚ごとに課金)。
opt-settings-batch-images = 枚数
opt-settings-batch-images-desc = 1回のリクエストで頼める最大枚数(1〜4)。空欄で既定値
cmd-settings-safety = セーフティ
cmd-settings-safety-desc = このサーバーと年齢制限チャンネルで、セーフティをどこまで緩くできるかを制限します。
opt-settings-safety-level = レベル
opt-settings-safety-level-desc = ここで使える最も緩いレベル。それより上のリクエストはこのレベルに下げられます
opt-settings-safety-age-restricted = 年齢制限
opt-settings-safety-age-restricted-desc = 最も緩いレベル(2)を年齢制限チャンネルでのみ、常に許可する
cmd-settings-pings = 通知
cmd-settings-pings-desc = 画像ができたときにメンバーへ通知するかを選びます。
opt-settings-pings-on = オン
opt-settings-pings-on-desc = オン:完成した画像を、依頼した人をメンションする新しいメッセージで届けます。オフ:通知なし
card-safety-lowered = (ここで許可される上限のため { $level }({ $name })から下げました)
progress-imagine-batch = { $count } 枚を生成中
progress-edit-batch = { $count } 枚を編集中
progress-done = { $state } · { $total } 枚中 { $done } 枚完了
# 折りたたんだ待機メッセージ:「✅ <これ> <結果へのリンク> · プロンプト」(✅ とリンクはボットが付けます)
ping-ready = 完成:
batch-facts = 🖼️ { $size } 枚中 { $made } 枚 · ⏱️ { $seconds } 秒 · 💵 { $cost } · リクエスト:<@{ $user }>
batch-image-failed = ⚠️ **画像 { $number } は失敗しました**:{ $reason }
batch-failed-not-charged = 失敗した { $count } 枚の画像は課金されていません。
batch-image-too-large = 画像 { $number } は大きすぎてここにアップロードできないため、リンクを載せます(しばらくすると期限切れになります):{ $url }
batch-image-alt = 画像 { $number }:{ $prompt }
batch-image-gone = 画像 { $number } はもうこのメッセージにないため、編集するものがありません。
button-reroll-all = すべて再生成
button-edit-n = 編集 { $number }
button-reroll-n = 再生成 { $number }
invalid-batch-limit = このサーバーでは1回のリクエストで { $limit } 枚までです。{ $count } 枚が指定されました。何も課金されていません。
quota-batch-daily = このリクエストは { $images } 枚ですが、このサーバーで今日残っているのは { $remaining } 枚です({ $limit } 枚中)。{ $remaining } 枚以下にするか、{ $when }にもう一度お試しください。
quota-guild-daily-left-batch = このサーバーは1日の画像予算 { $cap } のうち { $used } を使いました。残りは { $left } で、この { $images } 枚のまとめて生成は { $needed } かかります。予算は{ $when }にリセットされます。
quota-guild-monthly-left-batch = このサーバーは1か月の画像予算 { $cap } のうち { $used } を使いました。残りは { $left } で、この { $images } 枚のまとめて生成は { $needed } かかります。予算は{ $when }にリセットされます。
personal-limit-reached = 今日の個人用の画像 { $limit } 枚をすべて使いました(私を追加したサーバー以外では、誰でも1日 { $limit } 枚です)。{ $when }にまた作れます。
personal-generation-off = ボットの管理者が、ボットを追加したサーバー以外での画像生成をオフにしています。
personal-long-job = Discord ではこのメッセージを更新できるのは15分間だけです。画像にそれ以上かかる場合は DM で送ります。DM を受け付けていない場合は `/履歴` で確認できます。
personal-by-dm = あなたの画像(ジョブ `{ $job }`)は、Discord が返信に認める15分を過ぎたため、DM でお届けします。
personal-nothing-kept = ジョブ `{ $job }` を呼び出せません。私が読めない場所(グループ DM や私のいないサーバー)で表示され、画像サービス側のコピーも期限切れです。
dm-help-intro = ここでもスラッシュコマンドで画像を作れます。この DM で `/画像生成` を試してください。できることは次のとおりです。
history-yours-personal = 私を追加したサーバー以外(DM、グループ DM、ほかのサーバー)でのあなたの画像
history-theirs-personal = 私を追加したサーバー以外(DM、グループ DM、ほかのサーバー)での <@{ $user }> の画像
show-not-found-personal = 私を追加したサーバー以外(DM、グループ DM、ほかのサーバー)には、ジョブ ID { $job } の画像がありません。`/履歴` であなたの画像を一覧できます。
quota-where = 適用される場所
quota-personal-note = これはあなた個人の1日の上限で、DM、グループ DM、私を追加していないサーバーで適用されます。私を追加したサーバーでは、そのサーバーの上限が適用されます。
settings-images-per-request = 1回あたりの枚数
settings-up-to = 最大 { $count }
settings-safety = セーフティ
settings-safety-at-most = 最大 { $level }({ $name })
settings-safety-age-restricted = 。年齢制限チャンネルのみ { $level }({ $name })
settings-pings = 完成時の通知
settings-pings-on = オン:新しいメッセージで依頼した人をメンション
settings-pings-off = オフ:その場に表示、通知なし
settings-batch-title = 1回あたりの枚数を更新しました
settings-safety-title = セーフティを更新しました
settings-pings-title = 通知を更新しました
