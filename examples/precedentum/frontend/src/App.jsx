import React, { useEffect, useState } from "react";

// The backend's paths (/api/, /accounts/) are on the same address: the load balancer routes them to Django
// (on Lightsail, this container's nginx passes them on), so the session cookie goes along.
function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export default function App() {
  const [state, setState] = useState({ loading: true });

  useEffect(() => {
    fetch("/api/judges/", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(async (response) => {
        if (response.status === 403) {
          setState({ loading: false, loggedOut: true });
          return;
        }
        if (!response.ok) throw new Error(`the API answered ${response.status}`);
        const body = await response.json();
        const me = await fetch("/api/me/", { credentials: "same-origin" }).then((r) => r.json());
        setState({ loading: false, judges: body.judges, username: me.username });
      })
      .catch((error) => setState({ loading: false, error: String(error.message || error) }));
  }, []);

  if (state.loading) return <p>Loading…</p>;
  if (state.error) return <p id="error">Something went wrong: {state.error}</p>;
  if (state.loggedOut)
    return (
      <main>
        <h1>Precedentum</h1>
        <p>
          <a id="login-link" href="/accounts/login/?next=/">Log in</a> to see the judges.
        </p>
      </main>
    );
  return (
    <main>
      <h1>Precedentum</h1>
      <p>
        Signed in as <span id="username">{state.username}</span>.{" "}
        <a href="/accounts/password_change/">Change your password</a>
      </p>
      <form method="post" action="/accounts/logout/">
        <input type="hidden" name="csrfmiddlewaretoken" value={csrfToken()} />
        <button type="submit" id="logout">Log out</button>
      </form>
      <h2>Judges of the Northern District of Illinois</h2>
      <ul id="judges">
        {state.judges.map((judge) => (
          <li className="judge" key={judge.slug}>
            {judge.full_name} — {judge.title}
          </li>
        ))}
      </ul>
      <p id="judge-count">{state.judges.length} judges</p>
    </main>
  );
}
