import type { LocaleTexts } from '../types';

const db = (f: Parameters<LocaleTexts>[0]) =>
  f.database === 'embedded'
    ? 'einer eingebetteten, PostgreSQL-kompatiblen Datenbank (PGlite) auf dem Datenträger des Servers, auf dem die App läuft'
    : 'einer PostgreSQL-Datenbank, die für die App betrieben wird';

const purge = (f: Parameters<LocaleTexts>[0]) =>
  f.purgeIntervalMinutes > 0 ? `Die App prüft alle ${f.purgeIntervalMinutes} Minuten, ob solche Sites vorhanden sind.` : 'Der Betreiber führt die Löschung regelmäßig aus.';

export const de: LocaleTexts = (f) => ({
  chrome: {
    language: 'Sprache',
    securityTitle: 'Sicherheitserklärung',
    privacyTitle: 'Datenaufbewahrung und Datenschutz',
    generated: `Diese Seite wird aus der laufenden Konfiguration von ${f.appName} erzeugt und entspricht daher immer dem, was die App tut.`,
  },
  security: {
    title: `Sicherheitserklärung – ${f.appName}`,
    summary: `Wie ${f.appName} die Daten Ihrer Jira- oder Confluence-Site speichert und schützt.`,
    sections: [
      {
        id: 'stored',
        heading: 'Was die App speichert',
        items: [
          'Die Installation Ihrer Site: Kennung, Adresse, Produkttyp und das gemeinsame Geheimnis, das Atlassian der App ausgestellt hat.',
          'Checklisten: Text und Status jedes Eintrags sowie wer ihn angelegt oder abgehakt hat (Atlassian-Konto-IDs).',
          'Von Administratoren vorgenommene Site-Einstellungen und die persönlichen Einstellungen jeder Person.',
          'Kurzlebige Kopien von Daten aus dem Produkt: Anzeigenamen und einige Antworten des Produkts, damit Seiten schnell laden.',
          'Ein Protokoll der Installationsereignisse. Es enthält nie Geheimnisse oder Token.',
          'In Jira selbst: der Fortschritt der Checkliste jedes Vorgangs (nur Zahlen, kein Text und keine Personen) als Vorgangseigenschaft, damit die Jira-Suche unfertige Checklisten findet. Wer den Vorgang sehen kann, kann sie lesen.',
        ],
      },
      {
        id: 'where',
        heading: 'Wo die Daten gespeichert werden',
        paragraphs: [
          `Alles wird in ${db(f)} gespeichert. Jeder Datensatz trägt die Kennung seiner Site, und jede Abfrage ist auf die anfragende Site beschränkt, sodass keine Site die Daten einer anderen sieht.`,
        ],
      },
      {
        id: 'encryption',
        heading: 'Verschlüsselung von Geheimnissen im Ruhezustand',
        paragraphs: [
          `Das gemeinsame Geheimnis jeder Installation wird vor dem Speichern mit ${f.secretCipher} verschlüsselt, mit einem Schlüssel außerhalb der Datenbank (TENANT_SECRET_KEY), gebunden an die zugehörige Site. Geheimnisse und Token werden nie protokolliert.`,
          'Checklisteninhalte sind durch die Verschlüsselung des Speichers geschützt, auf dem die Datenbank läuft.',
        ],
      },
      {
        id: 'access',
        heading: 'Wer Zugriff hat',
        items: [
          'Personen Ihrer Site sehen Checklisten nur in Jira oder Confluence, nachdem das Produkt die Anfrage für sie signiert hat.',
          'Nur Site-Administratoren, wie das Produkt bestätigt, können Einstellungen ändern sowie die Daten der Site exportieren oder löschen.',
          `Die Betreiber von ${f.vendorName}, die den Dienst betreiben, für dessen Betrieb. Die Daten werden weder verkauft noch an Dritte weitergegeben.`,
        ],
      },
      {
        id: 'transport',
        heading: 'Transportsicherheit',
        paragraphs: [
          `Die App wird nur über HTTPS ausgeliefert, mit HTTP Strict Transport Security für ${f.hstsMaxAgeDays} Tage. Jede Anfrage von Atlassian wird geprüft: ein signiertes Token Ihrer Site, abgeglichen mit genau dieser Anfrage. Die App ruft Atlassian nur über HTTPS auf und signiert jeden Aufruf.`,
        ],
      },
      {
        id: 'report',
        heading: 'Eine Schwachstelle melden',
        paragraphs: ['Wenn Sie ein Sicherheitsproblem gefunden haben, teilen Sie es uns bitte vertraulich mit, mit den Schritten zur Reproduktion. Bitte testen Sie nicht gegen Sites, die nicht Ihnen gehören.'],
        link: f.securityContact ?? { href: f.vendorUrl, label: f.vendorName },
      },
    ],
  },
  privacy: {
    title: `Datenaufbewahrung und Datenschutz – ${f.appName}`,
    summary: `Was ${f.appName} über Ihre Site und ihre Personen aufbewahrt, wie lange, und wie Sie es löschen lassen können.`,
    sections: [
      {
        id: 'kept',
        heading: 'Was aufbewahrt wird',
        items: [
          'Checklisten, ihre Einträge und wer sie angelegt oder abgehakt hat (Atlassian-Konto-IDs).',
          'Site-Einstellungen und die persönlichen Einstellungen jeder Person.',
          'Zwischengespeicherte Anzeigenamen und Produktdaten, die regelmäßig aktualisiert werden.',
          'Der Installationsdatensatz der Site und ihr Ereignisprotokoll.',
          'Drei Tage lang ein Eintrag zu jeder Benachrichtigung, die Jira an die App gesendet hat (Ereignis, Vorgangsnummer, Zeitpunkt), um erneut gesendete Benachrichtigungen zu erkennen.',
        ],
      },
      {
        id: 'retention',
        heading: 'Wie lange',
        paragraphs: [
          'Solange die App installiert ist, werden die Daten aufbewahrt, damit die App funktioniert.',
          `Nach der Deinstallation werden die Daten der Site ${f.retentionDays} Tage aufbewahrt, damit eine erneute Installation alles wiederherstellt. Nach ${f.retentionDays} Tagen werden sie aus allen Tabellen gelöscht, einschließlich des Installationsdatensatzes und des Protokolls; eine spätere Installation beginnt leer. ${purge(f)}`,
          'Eine Site, die die App nach der Deinstallation weiter nutzt (zum Beispiel über Atlassian Forge), wird nicht gelöscht.',
          'Wird ein Vorgang in Jira gelöscht, löscht die App seine Checkliste sofort.',
        ],
      },
      {
        id: 'people',
        heading: 'Personenbezogene Daten',
        paragraphs: [
          f.gdprReportIntervalHours > 0
            ? `Die App meldet die Atlassian-Konten, zu denen sie Daten hat, alle ${f.gdprCycleDays} Tage an die Personal Data Reporting API von Atlassian, wie Atlassian es verlangt.`
            : 'Die Meldung an die Personal Data Reporting API von Atlassian ist in dieser Installation ausgeschaltet.',
          'Meldet Atlassian ein Konto als geschlossen, löscht die App die persönlichen Einstellungen und den zwischengespeicherten Namen dieser Person und entfernt ihr Konto aus den Checklisteneinträgen. Die Einträge bleiben, weil sie die Arbeit des Teams sind, zeigen aber nicht mehr, wer sie angelegt oder abgehakt hat. Meldet Atlassian ein geändertes Profil, wird der zwischengespeicherte Name aktualisiert.',
        ],
      },
      {
        id: 'admins',
        heading: 'Wie Administratoren die Daten löschen lassen können',
        items: [
          'Auf der Verwaltungsseite der App: „Daten exportieren“ lädt alles, was die App für die Site speichert, als JSON-Datei herunter.',
          '„Alle Daten löschen“ entfernt Checklisten, Einstellungen, persönliche Einstellungen und Zwischenspeicher der Site sofort, nachdem Sie zur Bestätigung die Adresse der Site eingegeben haben. Die App bleibt installiert und beginnt leer.',
          `Die Deinstallation der App startet die oben beschriebene Frist von ${f.retentionDays} Tagen.`,
        ],
      },
      {
        id: 'users',
        heading: 'Wie Personen ihre Daten löschen lassen können',
        paragraphs: [
          'Wenn Sie Ihr Atlassian-Konto schließen, werden Ihre Daten wie oben beschrieben aus der App entfernt. Sie können sich auch an einen Administrator Ihrer Site oder an uns wenden.',
        ],
        link: { href: f.vendorUrl, label: f.vendorName },
      },
    ],
  },
});
