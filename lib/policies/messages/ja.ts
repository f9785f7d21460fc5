import type { LocaleTexts } from '../types';

const db = (f: Parameters<LocaleTexts>[0]) =>
  f.database === 'embedded'
    ? 'アプリを実行しているサーバーのディスク上にある、PostgreSQL 互換の組み込みデータベース (PGlite)'
    : 'アプリ用に運用されている PostgreSQL データベース';

const purge = (f: Parameters<LocaleTexts>[0]) =>
  f.purgeIntervalMinutes > 0 ? `アプリは ${f.purgeIntervalMinutes} 分ごとに該当するサイトを確認します。` : '運用者が削除処理を定期的に実行します。';

export const ja: LocaleTexts = (f) => ({
  chrome: {
    language: '言語',
    securityTitle: 'セキュリティ ステートメント',
    privacyTitle: 'データの保持とプライバシー',
    generated: `このページは ${f.appName} の実行中の設定から生成されるため、常にアプリの実際の動作と一致します。`,
  },
  security: {
    title: `セキュリティ ステートメント – ${f.appName}`,
    summary: `${f.appName} が Jira または Confluence サイトのデータをどのように保存し、保護しているか。`,
    sections: [
      {
        id: 'stored',
        heading: 'アプリが保存するもの',
        items: [
          'サイトのインストール情報: 識別子、アドレス、製品の種類、Atlassian がアプリに発行した共有シークレット。',
          'チェックリスト: 各項目のテキストと状態、および作成者やチェックした人 (Atlassian アカウント ID)。',
          '管理者が行ったサイト設定と、各ユーザーの個人設定。',
          'ページを速く表示するために製品から読み込んだデータの短期間のコピー (表示名と製品からのいくつかの応答)。',
          'インストール イベントの監査ログ。シークレットやトークンは一切含みません。',
        ],
      },
      {
        id: 'where',
        heading: '保存場所',
        paragraphs: [
          `すべて ${db(f)} に保存されます。すべてのレコードにはサイトの識別子が付き、すべてのクエリはリクエスト元のサイトに限定されるため、あるサイトが別のサイトのデータを見ることはありません。`,
        ],
      },
      {
        id: 'encryption',
        heading: '保存時のシークレットの暗号化',
        paragraphs: [
          `各インストールの共有シークレットは、書き込む前に ${f.secretCipher} で暗号化されます。鍵はデータベースの外 (TENANT_SECRET_KEY) に保持され、対応するサイトに紐付けられます。シークレットとトークンがログに書き込まれることはありません。`,
          'チェックリストの内容は、データベースが稼働するストレージの暗号化によって保護されます。',
        ],
      },
      {
        id: 'access',
        heading: 'アクセスできる人',
        items: [
          'サイトのユーザーは、製品がリクエストに署名した後に、Jira または Confluence の中でのみチェックリストを見ることができます。',
          '製品によって確認されたサイト管理者だけが、設定の変更、サイトのデータのエクスポートや削除を行えます。',
          `サービスを運用する ${f.vendorName} の運用担当者 (運用目的のみ)。データを販売したり第三者と共有したりすることはありません。`,
        ],
      },
      {
        id: 'transport',
        heading: '通信のセキュリティ',
        paragraphs: [
          `アプリは HTTPS のみで提供され、HTTP Strict Transport Security を ${f.hstsMaxAgeDays} 日間適用します。Atlassian からのすべてのリクエストは、サイト用に署名されたトークンを正確なリクエスト内容と照合して検証されます。アプリは Atlassian を HTTPS でのみ呼び出し、各呼び出しに署名します。`,
        ],
      },
      {
        id: 'report',
        heading: '脆弱性の報告',
        paragraphs: ['セキュリティ上の問題を見つけたと思われる場合は、再現手順を添えて非公開でお知らせください。ご自身のものではないサイトに対してテストを行わないでください。'],
        link: f.securityContact ?? { href: f.vendorUrl, label: f.vendorName },
      },
    ],
  },
  privacy: {
    title: `データの保持とプライバシー – ${f.appName}`,
    summary: `${f.appName} がサイトとそのユーザーについて何を保持し、どれくらいの期間保持するか、そして削除を依頼する方法。`,
    sections: [
      {
        id: 'kept',
        heading: '保持されるもの',
        items: [
          'チェックリスト、その項目、および作成者やチェックした人 (Atlassian アカウント ID)。',
          'サイト設定と各ユーザーの個人設定。',
          'キャッシュされた表示名と製品データ (定期的に更新されます)。',
          'サイトのインストール記録とその監査ログ。',
        ],
      },
      {
        id: 'retention',
        heading: '保持期間',
        paragraphs: [
          'アプリがインストールされている間は、アプリが動作するためにデータが保持されます。',
          `アプリのアンインストール後、サイトのデータは ${f.retentionDays} 日間保持され、再インストールするとすべて元に戻ります。${f.retentionDays} 日が過ぎると、インストール記録と監査ログを含むすべてのテーブルから削除され、その後のインストールは空の状態から始まります。${purge(f)}`,
          'アンインストール後もアプリを使い続けているサイト (たとえば Atlassian Forge 経由) は削除されません。',
        ],
      },
      {
        id: 'people',
        heading: '個人データ',
        paragraphs: [
          f.gdprReportIntervalHours > 0
            ? `アプリは、Atlassian の要件に従い、データを保持している Atlassian アカウントを ${f.gdprCycleDays} 日ごとに Atlassian の個人データ報告 API に報告します。`
            : 'この環境では、Atlassian の個人データ報告 API への報告は無効になっています。',
          'Atlassian がアカウントの閉鎖を報告すると、アプリはその人の個人設定とキャッシュされた名前を削除し、チェックリスト項目からその人のアカウントを取り除きます。項目はチームの作業なので残りますが、誰が作成またはチェックしたかは表示されなくなります。プロフィールの変更が報告されると、キャッシュされた名前が更新されます。',
        ],
      },
      {
        id: 'admins',
        heading: '管理者がデータを削除する方法',
        items: [
          'アプリの管理ページで「データをエクスポート」を選ぶと、アプリがサイトについて保存しているすべてのデータを JSON ファイルとしてダウンロードできます。',
          '「すべてのデータを削除」は、確認のためにサイトのアドレスを入力した後、サイトのチェックリスト、設定、個人設定、キャッシュを直ちに削除します。アプリはインストールされたまま、空の状態から始まります。',
          `アプリをアンインストールすると、上記の ${f.retentionDays} 日間の期間が始まります。`,
        ],
      },
      {
        id: 'users',
        heading: 'ユーザーが自分のデータを削除する方法',
        paragraphs: [
          'Atlassian アカウントを閉鎖すると、上記のとおりアプリからデータが削除されます。サイトの管理者に依頼するか、私たちに直接お問い合わせいただくこともできます。',
        ],
        link: { href: f.vendorUrl, label: f.vendorName },
      },
    ],
  },
});
