// Passkeys (WebAuthn): adding one on the two-factor page, signing in with one after the
// password. The server makes the options and checks the answers (accounts/passkeys.py); this
// only carries them between it and the browser's authenticator, as base64url JSON.

const csrf = () => {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
};

const toBytes = (text) => {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
};

const toText = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

const post = async (url, body) => {
  const answer = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: body === undefined ? "{}" : JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) throw new Error(data.detail || answer.statusText);
  return data;
};

const credentialJson = (credential) => {
  const response = credential.response;
  const json = {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: { clientDataJSON: toText(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    json.response.attestationObject = toText(response.attestationObject);
    json.response.transports = response.getTransports ? response.getTransports() : [];
  } else {
    json.response.authenticatorData = toText(response.authenticatorData);
    json.response.signature = toText(response.signature);
    if (response.userHandle) json.response.userHandle = toText(response.userHandle);
  }
  return JSON.stringify(json);
};

const show = (box, message) => {
  const error = box.closest("section, .panel, main").querySelector("[data-passkey-error]");
  if (error) {
    error.textContent = message;
    error.hidden = false;
  }
};

const supported = () => Boolean(window.PublicKeyCredential && navigator.credentials);

// Adding a passkey (the two-factor page).
const register = document.querySelector("[data-passkey-register]");
if (register) {
  if (!supported()) {
    register.hidden = true;
    document.querySelector("[data-passkey-unsupported]").hidden = false;
  }
  register.querySelector("[data-passkey-add]").addEventListener("click", async () => {
    try {
      const options = await post(register.dataset.options);
      options.challenge = toBytes(options.challenge);
      options.user.id = toBytes(options.user.id);
      options.excludeCredentials = (options.excludeCredentials || []).map((c) => ({
        ...c,
        id: toBytes(c.id),
      }));
      const credential = await navigator.credentials.create({ publicKey: options });
      const name = register.querySelector("input[name=name]").value;
      const done = await post(register.dataset.add, { credential: credentialJson(credential), name });
      window.location.assign(done.redirect);
    } catch (error) {
      show(register, error.message);
    }
  });
}

// Signing in with a passkey (the sign-in code page).
const signIn = document.querySelector("[data-passkey-sign-in]");
if (signIn) {
  if (!supported()) signIn.hidden = true;
  signIn.addEventListener("click", async () => {
    try {
      const options = await post(signIn.dataset.options);
      options.challenge = toBytes(options.challenge);
      options.allowCredentials = (options.allowCredentials || []).map((c) => ({
        ...c,
        id: toBytes(c.id),
      }));
      const credential = await navigator.credentials.get({ publicKey: options });
      const done = await post(signIn.dataset.verify, {
        credential: credentialJson(credential),
        next: signIn.dataset.next,
      });
      window.location.assign(done.redirect);
    } catch (error) {
      show(signIn, error.message);
    }
  });
}
