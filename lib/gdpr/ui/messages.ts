/**
 * Words of the admin data controls, in the app's six languages. Client-safe. Kept here (not in
 * lib/i18n) so the controls can be dropped into any page that knows its locale.
 */
export interface DataControlMessages {
  heading: string;
  intro: (days: number) => string;
  export: string;
  exporting: string;
  exportFailed: string;
  confirmLabel: (host: string) => string;
  confirmDelete: string;
  deleting: string;
  deleted: (items: number) => string;
  deleteFailed: string;
  adminsOnly: string;
  /** The product did not say in time whether the caller is a site admin. */
  adminUnconfirmed: string;
  /** An export or delete refused because the product could not confirm the admin right (503/429). */
  productUnavailable: string;
  privacyLink: string;
}

const en: DataControlMessages = {
  heading: 'Your data',
  intro: (d) => `Download everything the app stores for this site, or delete it now. After the app is uninstalled, data is kept for ${d} days, then deleted.`,
  export: 'Export data',
  exporting: 'Preparing the export…',
  exportFailed: 'The export failed. Try again.',
  confirmLabel: (h) => `This deletes every checklist, setting, preference and cache of this site. The app stays installed. Type ${h} to confirm.`,
  confirmDelete: 'Delete all data',
  deleting: 'Deleting…',
  deleted: (n) => `All data deleted (${n} checklist items).`,
  deleteFailed: 'Deleting failed. Nothing was changed; try again.',
  adminsOnly: 'Only site administrators can export or delete the site’s data.',
  adminUnconfirmed: 'Jira did not confirm in time whether you are a site administrator, so export and delete are off. Reload the page to try again.',
  productUnavailable: 'Jira could not confirm that you are a site administrator just now. Nothing was changed; try again in a moment.',
  privacyLink: 'Data retention and privacy',
};

const de: DataControlMessages = {
  heading: 'Ihre Daten',
  intro: (d) => `Laden Sie alles herunter, was die App für diese Site speichert, oder löschen Sie es jetzt. Nach der Deinstallation werden die Daten ${d} Tage aufbewahrt und dann gelöscht.`,
  export: 'Daten exportieren',
  exporting: 'Export wird vorbereitet…',
  exportFailed: 'Der Export ist fehlgeschlagen. Bitte erneut versuchen.',
  confirmLabel: (h) => `Dies löscht alle Checklisten, Einstellungen, persönlichen Einstellungen und Zwischenspeicher dieser Site. Die App bleibt installiert. Geben Sie zur Bestätigung ${h} ein.`,
  confirmDelete: 'Alle Daten löschen',
  deleting: 'Wird gelöscht…',
  deleted: (n) => `Alle Daten gelöscht (${n} Checklisteneinträge).`,
  deleteFailed: 'Löschen fehlgeschlagen. Es wurde nichts geändert; bitte erneut versuchen.',
  adminsOnly: 'Nur Site-Administratoren können die Daten der Site exportieren oder löschen.',
  adminUnconfirmed: 'Jira hat nicht rechtzeitig bestätigt, ob Sie Site-Administrator sind, daher sind Export und Löschen ausgeschaltet. Laden Sie die Seite neu, um es erneut zu versuchen.',
  productUnavailable: 'Jira konnte gerade nicht bestätigen, dass Sie Site-Administrator sind. Es wurde nichts geändert; bitte gleich erneut versuchen.',
  privacyLink: 'Datenaufbewahrung und Datenschutz',
};

const fr: DataControlMessages = {
  heading: 'Vos données',
  intro: (d) => `Téléchargez tout ce que l’application stocke pour ce site, ou supprimez-le maintenant. Après la désinstallation, les données sont conservées ${d} jours, puis supprimées.`,
  export: 'Exporter les données',
  exporting: 'Préparation de l’export…',
  exportFailed: 'L’export a échoué. Réessayez.',
  confirmLabel: (h) => `Cette action supprime toutes les checklists, paramètres, préférences et caches de ce site. L’application reste installée. Saisissez ${h} pour confirmer.`,
  confirmDelete: 'Supprimer toutes les données',
  deleting: 'Suppression…',
  deleted: (n) => `Toutes les données ont été supprimées (${n} éléments de checklist).`,
  deleteFailed: 'La suppression a échoué. Rien n’a été modifié ; réessayez.',
  adminsOnly: 'Seuls les administrateurs du site peuvent exporter ou supprimer les données du site.',
  adminUnconfirmed: 'Jira n’a pas confirmé à temps que vous êtes administrateur du site : l’export et la suppression sont désactivés. Rechargez la page pour réessayer.',
  productUnavailable: 'Jira n’a pas pu confirmer pour le moment que vous êtes administrateur du site. Rien n’a été modifié ; réessayez dans un instant.',
  privacyLink: 'Conservation des données et confidentialité',
};

const es: DataControlMessages = {
  heading: 'Sus datos',
  intro: (d) => `Descargue todo lo que la aplicación guarda de este sitio o bórrelo ahora. Tras desinstalar la aplicación, los datos se conservan ${d} días y después se borran.`,
  export: 'Exportar datos',
  exporting: 'Preparando la exportación…',
  exportFailed: 'La exportación falló. Inténtelo de nuevo.',
  confirmLabel: (h) => `Esto borra todas las listas, la configuración, las preferencias y las cachés de este sitio. La aplicación sigue instalada. Escriba ${h} para confirmar.`,
  confirmDelete: 'Borrar todos los datos',
  deleting: 'Borrando…',
  deleted: (n) => `Se borraron todos los datos (${n} elementos de lista).`,
  deleteFailed: 'El borrado falló. No se cambió nada; inténtelo de nuevo.',
  adminsOnly: 'Solo los administradores del sitio pueden exportar o borrar los datos del sitio.',
  adminUnconfirmed: 'Jira no confirmó a tiempo si usted es administrador del sitio, así que exportar y borrar están desactivados. Recargue la página para volver a intentarlo.',
  productUnavailable: 'Jira no pudo confirmar en este momento que usted es administrador del sitio. No se cambió nada; inténtelo de nuevo en un momento.',
  privacyLink: 'Conservación de datos y privacidad',
};

const ja: DataControlMessages = {
  heading: 'データ',
  intro: (d) => `アプリがこのサイトについて保存しているすべてのデータをダウンロードするか、今すぐ削除できます。アプリのアンインストール後、データは ${d} 日間保持された後に削除されます。`,
  export: 'データをエクスポート',
  exporting: 'エクスポートを準備しています…',
  exportFailed: 'エクスポートに失敗しました。もう一度お試しください。',
  confirmLabel: (h) => `このサイトのチェックリスト、設定、個人設定、キャッシュをすべて削除します。アプリはインストールされたままです。確認のため ${h} と入力してください。`,
  confirmDelete: 'すべてのデータを削除',
  deleting: '削除しています…',
  deleted: (n) => `すべてのデータを削除しました (チェックリスト項目 ${n} 件)。`,
  deleteFailed: '削除に失敗しました。何も変更されていません。もう一度お試しください。',
  adminsOnly: 'サイトのデータをエクスポートまたは削除できるのはサイト管理者だけです。',
  adminUnconfirmed: 'Jira がサイト管理者かどうかを時間内に確認できなかったため、エクスポートと削除は無効です。ページを再読み込みしてもう一度お試しください。',
  productUnavailable: '現在 Jira でサイト管理者であることを確認できませんでした。何も変更されていません。しばらくしてからもう一度お試しください。',
  privacyLink: 'データの保持とプライバシー',
};

const ptBR: DataControlMessages = {
  heading: 'Seus dados',
  intro: (d) => `Baixe tudo o que o aplicativo guarda sobre este site ou exclua agora. Depois da desinstalação, os dados são guardados por ${d} dias e então excluídos.`,
  export: 'Exportar dados',
  exporting: 'Preparando a exportação…',
  exportFailed: 'A exportação falhou. Tente novamente.',
  confirmLabel: (h) => `Isso exclui todas as checklists, configurações, preferências e caches deste site. O aplicativo continua instalado. Digite ${h} para confirmar.`,
  confirmDelete: 'Excluir todos os dados',
  deleting: 'Excluindo…',
  deleted: (n) => `Todos os dados foram excluídos (${n} itens de checklist).`,
  deleteFailed: 'A exclusão falhou. Nada foi alterado; tente novamente.',
  adminsOnly: 'Somente administradores do site podem exportar ou excluir os dados do site.',
  adminUnconfirmed: 'O Jira não confirmou a tempo se você é administrador do site, então exportar e excluir estão desativados. Recarregue a página para tentar de novo.',
  productUnavailable: 'O Jira não conseguiu confirmar agora que você é administrador do site. Nada foi alterado; tente novamente em instantes.',
  privacyLink: 'Retenção de dados e privacidade',
};

const BY_LANG: Record<string, DataControlMessages> = { en, de, fr, es, ja, pt: ptBR };

export function dataControlMessages(locale: string): DataControlMessages {
  return BY_LANG[locale.split(/[-_]/)[0]!.toLowerCase()] ?? en;
}

/** The confirmation matches the site host, ignoring case and surrounding spaces. */
export function confirmMatches(input: string, host: string): boolean {
  return input.trim().toLowerCase() === host.trim().toLowerCase() && host.trim() !== '';
}
