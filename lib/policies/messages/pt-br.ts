import type { LocaleTexts } from '../types';

const db = (f: Parameters<LocaleTexts>[0]) =>
  f.database === 'embedded'
    ? 'um banco de dados incorporado compatível com PostgreSQL (PGlite), no disco do servidor que executa o aplicativo'
    : 'um banco de dados PostgreSQL operado para o aplicativo';

const purge = (f: Parameters<LocaleTexts>[0]) =>
  f.purgeIntervalMinutes > 0 ? `O aplicativo procura esses sites a cada ${f.purgeIntervalMinutes} minutos.` : 'O operador executa a exclusão periodicamente.';

export const ptBR: LocaleTexts = (f) => ({
  chrome: {
    language: 'Idioma',
    securityTitle: 'Declaração de segurança',
    privacyTitle: 'Retenção de dados e privacidade',
    generated: `Esta página é gerada a partir da configuração em execução do ${f.appName}, por isso sempre corresponde ao que o aplicativo faz.`,
  },
  security: {
    title: `Declaração de segurança – ${f.appName}`,
    summary: `Como o ${f.appName} armazena e protege os dados do seu site do Jira ou do Confluence.`,
    sections: [
      {
        id: 'stored',
        heading: 'O que o aplicativo armazena',
        items: [
          'A instalação do seu site: identificador, endereço, tipo de produto e o segredo compartilhado que a Atlassian emitiu para o aplicativo.',
          'Checklists: o texto e o estado de cada item, e quem o criou ou marcou (IDs de conta da Atlassian).',
          'Configurações do site feitas por administradores e as preferências de cada pessoa.',
          'Cópias de curta duração de dados lidos do produto: nomes de exibição e algumas respostas do produto, para páginas rápidas.',
          'Um registro de auditoria dos eventos de instalação. Ele nunca contém segredos ou tokens.',
          'No próprio Jira: o progresso do checklist de cada item (apenas números, sem texto nem pessoas) como propriedade do item, para que a busca do Jira encontre checklists não concluídos. Qualquer pessoa que veja o item pode lê-lo.',
        ],
      },
      {
        id: 'where',
        heading: 'Onde é armazenado',
        paragraphs: [
          `Tudo é guardado em ${db(f)}. Cada registro traz o identificador do seu site, e cada consulta é limitada ao site que fez a solicitação, de modo que um site nunca vê os dados de outro.`,
        ],
      },
      {
        id: 'encryption',
        heading: 'Criptografia de segredos em repouso',
        paragraphs: [
          `O segredo compartilhado de cada instalação é criptografado com ${f.secretCipher} antes de ser gravado, com uma chave mantida fora do banco de dados (TENANT_SECRET_KEY) e vinculada ao seu site. Segredos e tokens nunca são gravados em logs.`,
          'O conteúdo das checklists é protegido pela criptografia do armazenamento em que o banco de dados é executado.',
        ],
      },
      {
        id: 'access',
        heading: 'Quem pode acessar',
        items: [
          'As pessoas do seu site só veem checklists dentro do Jira ou do Confluence, depois que o produto assina a solicitação para elas.',
          'Somente administradores do site, conforme confirmado pelo produto, podem alterar configurações, exportar ou excluir os dados do site.',
          `Os operadores da ${f.vendorName} que executam o serviço, para operá-lo. Os dados não são vendidos nem compartilhados com terceiros.`,
        ],
      },
      {
        id: 'transport',
        heading: 'Segurança no transporte',
        paragraphs: [
          `O aplicativo é servido apenas por HTTPS, com HTTP Strict Transport Security por ${f.hstsMaxAgeDays} dias. Cada solicitação da Atlassian é verificada: um token assinado para o seu site, conferido com a solicitação exata. O aplicativo chama a Atlassian apenas por HTTPS, assinando cada chamada.`,
        ],
      },
      {
        id: 'report',
        heading: 'Como relatar uma vulnerabilidade',
        paragraphs: ['Se você acredita ter encontrado um problema de segurança, informe-nos em particular, com os passos para reproduzi-lo. Não faça testes em sites que não sejam seus.'],
        link: f.securityContact ?? { href: f.vendorUrl, label: f.vendorName },
      },
    ],
  },
  privacy: {
    title: `Retenção de dados e privacidade – ${f.appName}`,
    summary: `O que o ${f.appName} guarda sobre o seu site e as pessoas dele, por quanto tempo e como pedir a exclusão.`,
    sections: [
      {
        id: 'kept',
        heading: 'O que é guardado',
        items: [
          'Checklists, seus itens e quem os criou ou marcou (IDs de conta da Atlassian).',
          'Configurações do site e as preferências de cada pessoa.',
          'Nomes de exibição e dados do produto em cache, atualizados regularmente.',
          'O registro de instalação do site e seu registro de auditoria.',
          'Por 3 dias, um registro de cada notificação que o Jira enviou ao app (evento, número do item, horário), para reconhecer uma notificação que o Jira envie de novo.',
        ],
      },
      {
        id: 'retention',
        heading: 'Por quanto tempo',
        paragraphs: [
          'Enquanto o aplicativo estiver instalado, os dados são guardados para que ele funcione.',
          `Depois da desinstalação, os dados do site são guardados por ${f.retentionDays} dias, para que uma reinstalação recupere tudo. Após ${f.retentionDays} dias, eles são excluídos de todas as tabelas, inclusive o registro de instalação e o de auditoria; uma instalação posterior começa vazia. ${purge(f)}`,
          'Um site que continua usando o aplicativo após a desinstalação (por exemplo, pelo Atlassian Forge) não é excluído.',
          'Quando um item é excluído no Jira, o checklist dele é excluído do app na hora.',
        ],
      },
      {
        id: 'people',
        heading: 'Dados pessoais',
        paragraphs: [
          f.gdprReportIntervalHours > 0
            ? `O aplicativo informa as contas da Atlassian sobre as quais guarda dados à API de relatório de dados pessoais da Atlassian a cada ${f.gdprCycleDays} dias, como a Atlassian exige.`
            : 'O envio à API de relatório de dados pessoais da Atlassian está desativado nesta instalação.',
          'Quando a Atlassian informa que uma conta foi encerrada, o aplicativo exclui as preferências e o nome em cache dessa pessoa e remove a conta dela dos itens das checklists. Os itens permanecem, pois são o trabalho da equipe, mas deixam de indicar quem os criou ou marcou. Quando a Atlassian informa que um perfil mudou, o nome em cache é atualizado.',
        ],
      },
      {
        id: 'admins',
        heading: 'Como os administradores podem excluí-los',
        items: [
          'Na página de administração do aplicativo: “Exportar dados” baixa tudo o que o aplicativo guarda sobre o site em um arquivo JSON.',
          '“Excluir todos os dados” remove na hora as checklists, configurações, preferências e caches do site, depois que você digita o endereço do site para confirmar. O aplicativo continua instalado e começa vazio.',
          `Desinstalar o aplicativo inicia o período de ${f.retentionDays} dias descrito acima.`,
        ],
      },
      {
        id: 'users',
        heading: 'Como as pessoas podem excluir seus dados',
        paragraphs: [
          'Ao encerrar sua conta da Atlassian, seus dados são removidos do aplicativo como descrito acima. Você também pode pedir a um administrador do seu site ou entrar em contato conosco.',
        ],
        link: { href: f.vendorUrl, label: f.vendorName },
      },
    ],
  },
});
