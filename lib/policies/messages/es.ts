import type { LocaleTexts } from '../types';

const db = (f: Parameters<LocaleTexts>[0]) =>
  f.database === 'embedded'
    ? 'una base de datos integrada compatible con PostgreSQL (PGlite), en el disco del servidor que ejecuta la aplicación'
    : 'una base de datos PostgreSQL operada para la aplicación';

const purge = (f: Parameters<LocaleTexts>[0]) =>
  f.purgeIntervalMinutes > 0 ? `La aplicación busca esos sitios cada ${f.purgeIntervalMinutes} minutos.` : 'El operador ejecuta el borrado de forma periódica.';

export const es: LocaleTexts = (f) => ({
  chrome: {
    language: 'Idioma',
    securityTitle: 'Declaración de seguridad',
    privacyTitle: 'Conservación de datos y privacidad',
    generated: `Esta página se genera a partir de la configuración en ejecución de ${f.appName}, por lo que siempre coincide con lo que hace la aplicación.`,
  },
  security: {
    title: `Declaración de seguridad – ${f.appName}`,
    summary: `Cómo ${f.appName} almacena y protege los datos de su sitio de Jira o Confluence.`,
    sections: [
      {
        id: 'stored',
        heading: 'Qué almacena la aplicación',
        items: [
          'La instalación de su sitio: su identificador, dirección, tipo de producto y el secreto compartido que Atlassian emitió para la aplicación.',
          'Las listas de comprobación: el texto y el estado de cada elemento, y quién lo creó o marcó (ID de cuenta de Atlassian).',
          'La configuración del sitio que hacen los administradores y las preferencias de cada persona.',
          'Copias de corta duración de datos leídos del producto: nombres visibles y algunas respuestas del producto, para que las páginas sean rápidas.',
          'Un registro de los eventos de instalación. Nunca contiene secretos ni tokens.',
          'En el propio Jira: el progreso de la lista de comprobación de cada incidencia (solo números, sin texto ni personas) como propiedad de la incidencia, para que la búsqueda de Jira encuentre listas sin terminar. Cualquiera que pueda ver la incidencia puede leerla.',
        ],
      },
      {
        id: 'where',
        heading: 'Dónde se almacena',
        paragraphs: [
          `Todo se guarda en ${db(f)}. Cada registro lleva el identificador de su sitio y cada consulta se limita al sitio que la hizo, de modo que un sitio nunca ve los datos de otro.`,
        ],
      },
      {
        id: 'encryption',
        heading: 'Cifrado de secretos en reposo',
        paragraphs: [
          `El secreto compartido de cada instalación se cifra con ${f.secretCipher} antes de escribirse, con una clave guardada fuera de la base de datos (TENANT_SECRET_KEY) y vinculada a su sitio. Los secretos y tokens nunca se escriben en los registros.`,
          'El contenido de las listas está protegido por el cifrado del almacenamiento en el que funciona la base de datos.',
        ],
      },
      {
        id: 'access',
        heading: 'Quién puede acceder',
        items: [
          'Las personas de su sitio solo ven las listas dentro de Jira o Confluence, después de que el producto haya firmado la solicitud para ellas.',
          'Solo los administradores del sitio, según confirma el producto, pueden cambiar la configuración, exportar los datos del sitio o borrarlos.',
          `Los operadores de ${f.vendorName} que gestionan el servicio, para operarlo. Los datos no se venden ni se comparten con terceros.`,
        ],
      },
      {
        id: 'transport',
        heading: 'Seguridad en el transporte',
        paragraphs: [
          `La aplicación solo se sirve por HTTPS, con HTTP Strict Transport Security durante ${f.hstsMaxAgeDays} días. Cada solicitud de Atlassian se verifica: un token firmado para su sitio, comprobado contra la solicitud exacta. La aplicación solo llama a Atlassian por HTTPS y firma cada llamada.`,
        ],
      },
      {
        id: 'report',
        heading: 'Informar de una vulnerabilidad',
        paragraphs: ['Si cree que ha encontrado un problema de seguridad, comuníquenoslo en privado, con los pasos para reproducirlo. Por favor, no haga pruebas contra sitios que no sean suyos.'],
        link: f.securityContact ?? { href: f.vendorUrl, label: f.vendorName },
      },
    ],
  },
  privacy: {
    title: `Conservación de datos y privacidad – ${f.appName}`,
    summary: `Qué conserva ${f.appName} sobre su sitio y sus personas, durante cuánto tiempo y cómo pedir que se borre.`,
    sections: [
      {
        id: 'kept',
        heading: 'Qué se conserva',
        items: [
          'Las listas de comprobación, sus elementos y quién los creó o marcó (ID de cuenta de Atlassian).',
          'La configuración del sitio y las preferencias de cada persona.',
          'Nombres visibles y datos del producto en caché, que se actualizan con regularidad.',
          'El registro de instalación del sitio y su registro de eventos.',
          'Durante 3 días, un registro de cada notificación que Jira envió a la aplicación (evento, número de incidencia, hora), para reconocer una notificación que Jira vuelva a enviar.',
        ],
      },
      {
        id: 'retention',
        heading: 'Durante cuánto tiempo',
        paragraphs: [
          'Mientras la aplicación está instalada, los datos se conservan para que funcione.',
          `Tras desinstalar la aplicación, los datos del sitio se conservan ${f.retentionDays} días, para que una reinstalación lo recupere todo. Pasados ${f.retentionDays} días se borran de todas las tablas, incluido el registro de instalación y el de eventos; una instalación posterior empieza vacía. ${purge(f)}`,
          'Un sitio que sigue usando la aplicación después de desinstalarla (por ejemplo, a través de Atlassian Forge) no se borra.',
          'Cuando se elimina una incidencia en Jira, su lista de comprobación se elimina de la aplicación de inmediato.',
        ],
      },
      {
        id: 'people',
        heading: 'Datos personales',
        paragraphs: [
          f.gdprReportIntervalHours > 0
            ? `La aplicación comunica las cuentas de Atlassian de las que guarda datos a la API de informes de datos personales de Atlassian cada ${f.gdprCycleDays} días, como exige Atlassian.`
            : 'La comunicación a la API de informes de datos personales de Atlassian está desactivada en esta instalación.',
          'Cuando Atlassian informa de que una cuenta está cerrada, la aplicación borra las preferencias y el nombre en caché de esa persona y quita su cuenta de los elementos de las listas. Los elementos se mantienen, porque son el trabajo del equipo, pero ya no indican quién los creó o marcó. Cuando Atlassian informa de que un perfil cambió, el nombre en caché se actualiza.',
        ],
      },
      {
        id: 'admins',
        heading: 'Cómo pueden borrarlos los administradores',
        items: [
          'En la página de administración de la aplicación: «Exportar datos» descarga todo lo que la aplicación guarda del sitio en un archivo JSON.',
          '«Borrar todos los datos» elimina de inmediato las listas, la configuración, las preferencias y las cachés del sitio, después de escribir la dirección del sitio para confirmar. La aplicación sigue instalada y empieza vacía.',
          `Desinstalar la aplicación inicia el periodo de ${f.retentionDays} días descrito arriba.`,
        ],
      },
      {
        id: 'users',
        heading: 'Cómo pueden las personas borrar sus datos',
        paragraphs: [
          'Al cerrar su cuenta de Atlassian, sus datos se eliminan de la aplicación como se describe arriba. También puede pedírselo a un administrador de su sitio o ponerse en contacto con nosotros.',
        ],
        link: { href: f.vendorUrl, label: f.vendorName },
      },
    ],
  },
});
