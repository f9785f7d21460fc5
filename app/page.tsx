export default function Home() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '40px auto' }}>
      <h1>Issue Checklists for Jira</h1>
      <p>
        An Atlassian Connect app. Install it from its descriptor: <a href="/atlassian-connect.json">/atlassian-connect.json</a>.
      </p>
    </main>
  );
}
