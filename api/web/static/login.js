import { landing, me, message, signIn, t } from "/ui/static/shuyun.js";

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");

function onward(user) {
  location.assign(form.dataset.next || landing(user.role));
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.textContent = t("signing_in");
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    onward(await signIn(form.username.value.trim(), form.password.value));
  } catch (failure) {
    error.textContent = `${t("login_failed")}: ${message(failure)}`;
  } finally {
    button.disabled = false;
  }
});

// Already signed in: straight on.
me().then((user) => user && onward(user)).catch(() => {});
