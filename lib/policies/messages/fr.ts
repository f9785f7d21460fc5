import type { LocaleTexts } from '../types';

const db = (f: Parameters<LocaleTexts>[0]) =>
  f.database === 'embedded'
    ? 'une base de données intégrée compatible PostgreSQL (PGlite), sur le disque du serveur qui exécute l’application'
    : 'une base de données PostgreSQL exploitée pour l’application';

const purge = (f: Parameters<LocaleTexts>[0]) =>
  f.purgeIntervalMinutes > 0 ? `L’application recherche ces sites toutes les ${f.purgeIntervalMinutes} minutes.` : 'L’exploitant exécute la suppression à intervalles réguliers.';

export const fr: LocaleTexts = (f) => ({
  chrome: {
    language: 'Langue',
    securityTitle: 'Déclaration de sécurité',
    privacyTitle: 'Conservation des données et confidentialité',
    generated: `Cette page est générée à partir de la configuration en cours de ${f.appName} : elle correspond toujours à ce que fait l’application.`,
  },
  security: {
    title: `Déclaration de sécurité – ${f.appName}`,
    summary: `Comment ${f.appName} stocke et protège les données de votre site Jira ou Confluence.`,
    sections: [
      {
        id: 'stored',
        heading: 'Ce que l’application stocke',
        items: [
          'L’installation de votre site : son identifiant, son adresse, le type de produit et le secret partagé qu’Atlassian a délivré à l’application.',
          'Les checklists : le texte et l’état de chaque élément, et qui l’a créé ou coché (identifiants de compte Atlassian).',
          'Les paramètres du site définis par les administrateurs, et les préférences de chaque personne.',
          'Des copies de courte durée de données lues dans le produit : noms affichés et quelques réponses du produit, pour des pages rapides.',
          'Un journal des événements d’installation. Il ne contient jamais de secrets ni de jetons.',
          'Dans Jira même : l’avancement de la liste de contrôle de chaque ticket (des nombres uniquement, ni texte ni personnes) comme propriété du ticket, pour que la recherche de Jira trouve les listes inachevées. Toute personne qui voit le ticket peut la lire.',
        ],
      },
      {
        id: 'where',
        heading: 'Où elles sont stockées',
        paragraphs: [
          `Tout est conservé dans ${db(f)}. Chaque enregistrement porte l’identifiant de son site, et chaque requête est limitée au site qui l’a faite : un site ne voit jamais les données d’un autre.`,
        ],
      },
      {
        id: 'encryption',
        heading: 'Chiffrement des secrets au repos',
        paragraphs: [
          `Le secret partagé de chaque installation est chiffré avec ${f.secretCipher} avant d’être écrit, avec une clé conservée hors de la base de données (TENANT_SECRET_KEY) et liée à son site. Les secrets et les jetons ne sont jamais journalisés.`,
          'Le contenu des checklists est protégé par le chiffrement du stockage sur lequel fonctionne la base de données.',
        ],
      },
      {
        id: 'access',
        heading: 'Qui peut y accéder',
        items: [
          'Les personnes de votre site ne voient les checklists que dans Jira ou Confluence, une fois la requête signée pour elles par le produit.',
          'Seuls les administrateurs du site, confirmés par le produit, peuvent modifier les paramètres, exporter ou supprimer les données du site.',
          `Les opérateurs de ${f.vendorName} qui exploitent le service, pour l’exploiter. Les données ne sont ni vendues ni partagées avec des tiers.`,
        ],
      },
      {
        id: 'transport',
        heading: 'Sécurité des échanges',
        paragraphs: [
          `L’application n’est servie qu’en HTTPS, avec HTTP Strict Transport Security pendant ${f.hstsMaxAgeDays} jours. Chaque requête d’Atlassian est vérifiée : un jeton signé pour votre site, contrôlé par rapport à la requête exacte. L’application n’appelle Atlassian qu’en HTTPS, en signant chaque appel.`,
        ],
      },
      {
        id: 'report',
        heading: 'Signaler une vulnérabilité',
        paragraphs: ['Si vous pensez avoir trouvé un problème de sécurité, signalez-le-nous en privé, avec les étapes pour le reproduire. Merci de ne pas tester sur des sites qui ne vous appartiennent pas.'],
        link: f.securityContact ?? { href: f.vendorUrl, label: f.vendorName },
      },
    ],
  },
  privacy: {
    title: `Conservation des données et confidentialité – ${f.appName}`,
    summary: `Ce que ${f.appName} conserve sur votre site et ses utilisateurs, pendant combien de temps, et comment le faire supprimer.`,
    sections: [
      {
        id: 'kept',
        heading: 'Ce qui est conservé',
        items: [
          'Les checklists, leurs éléments et qui les a créés ou cochés (identifiants de compte Atlassian).',
          'Les paramètres du site et les préférences de chaque personne.',
          'Des noms affichés et données du produit mis en cache, actualisés régulièrement.',
          'L’enregistrement d’installation du site et son journal.',
          'Pendant 3 jours, une trace de chaque notification envoyée par Jira à l’application (événement, numéro du ticket, heure), pour reconnaître une notification que Jira envoie de nouveau.',
        ],
      },
      {
        id: 'retention',
        heading: 'Pendant combien de temps',
        paragraphs: [
          'Tant que l’application est installée, les données sont conservées pour qu’elle fonctionne.',
          `Après la désinstallation, les données du site sont conservées ${f.retentionDays} jours, afin qu’une réinstallation restaure tout. Après ${f.retentionDays} jours, elles sont supprimées de toutes les tables, y compris l’enregistrement d’installation et le journal ; une installation ultérieure repart de zéro. ${purge(f)}`,
          'Un site qui continue d’utiliser l’application après la désinstallation (par exemple via Atlassian Forge) n’est pas supprimé.',
          'Lorsqu’un ticket est supprimé dans Jira, sa liste de contrôle est aussitôt supprimée de l’application.',
        ],
      },
      {
        id: 'people',
        heading: 'Données personnelles',
        paragraphs: [
          f.gdprReportIntervalHours > 0
            ? `L’application déclare les comptes Atlassian pour lesquels elle détient des données à l’API de déclaration des données personnelles d’Atlassian tous les ${f.gdprCycleDays} jours, comme Atlassian l’exige.`
            : 'La déclaration à l’API de déclaration des données personnelles d’Atlassian est désactivée dans ce déploiement.',
          'Quand Atlassian signale un compte comme fermé, l’application supprime les préférences et le nom en cache de cette personne, et retire son compte des éléments de checklist. Les éléments restent, car ils sont le travail de l’équipe, mais n’indiquent plus qui les a créés ou cochés. Quand Atlassian signale un profil modifié, le nom en cache est actualisé.',
        ],
      },
      {
        id: 'admins',
        heading: 'Comment les administrateurs peuvent les faire supprimer',
        items: [
          'Sur la page d’administration de l’application : « Exporter les données » télécharge tout ce que l’application stocke pour le site dans un fichier JSON.',
          '« Supprimer toutes les données » efface immédiatement les checklists, paramètres, préférences et caches du site, après que vous avez saisi l’adresse du site pour confirmer. L’application reste installée et repart de zéro.',
          `Désinstaller l’application démarre la période de ${f.retentionDays} jours décrite ci-dessus.`,
        ],
      },
      {
        id: 'users',
        heading: 'Comment les personnes peuvent faire supprimer leurs données',
        paragraphs: [
          'La fermeture de votre compte Atlassian supprime vos données de l’application comme décrit ci-dessus. Vous pouvez aussi vous adresser à un administrateur de votre site, ou nous contacter.',
        ],
        link: { href: f.vendorUrl, label: f.vendorName },
      },
    ],
  },
});
