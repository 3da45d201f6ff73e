#!/usr/bin/env python3
"""The dashboard in a real browser: Debian's chromium and chromedriver, driven by Selenium (from
PyPI, into .build/browser-venv on first use; no browser download). Starts `mailmon serve` on a
fresh database and a Dovecot on loopback from a temporary directory, and stops both by pid.

It covers: sign-in with a bad token and a good one; the fleet page showing a monitor down against
a stopped Dovecot and up after Dovecot starts, without a reload; a monitor created through the
form, with the policy's refusal shown at its field first; pause, resume and "check now"; a readonly
token sees no controls that change anything, and its POSTs are refused, as are forged ones (another
origin, a wrong CSRF token); a customer's status page shows none of another customer's monitors;
no mailbox password in any page's HTML or in what the pages fetch.

A screenshot of each page is kept in .build/browser-test/ for a person to look at.
Usage: browser_test.py MAILMON_BINARY. Exit 0 when every step passed."""
import json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.error, urllib.parse, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".build", "browser-venv")
SHOTS = os.path.join(ROOT, ".build", "browser-test")
SELENIUM_VERSION = "4.51.0"
ALICE_PASSWORD = "Alice-Mailbox-Secret-7"
OTHER_PASSWORD = "Other-Customer-Secret-9"


def ensure_selenium():
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    if subprocess.run([python, "-c", "import selenium"], capture_output=True).returncode != 0:
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", f"selenium=={SELENIUM_VERSION}"], check=True)
    if os.path.realpath(sys.prefix) != os.path.realpath(VENV):
        os.execv(python, [python] + sys.argv)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Dovecot:
    """A plain-IMAP Dovecot with the user alice, on a port chosen once (stopped and started again on it)."""

    def __init__(self, work):
        self.dir = os.path.join(work, "dovecot")
        self.port = free_port()
        for sub in ["run", "state", "mail/alice/Maildir/new", "mail/alice/Maildir/cur", "mail/alice/Maildir/tmp"]:
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        root = os.getuid() == 0
        uid, gid = (65534, 65534) if root else (os.getuid(), os.getgid())
        with open(os.path.join(self.dir, "users"), "w") as f:
            f.write(f"alice:{{PLAIN}}{ALICE_PASSWORD}:{uid}:{gid}::{self.dir}/mail/alice::\n")
        os.chmod(os.path.join(self.dir, "users"), 0o644)
        config = f"""protocols = imap
listen = 127.0.0.1
base_dir = {self.dir}/run
state_dir = {self.dir}/state
instance_name = mailmon-browser-{self.port}
log_path = {self.dir}/dovecot.log
first_valid_uid = 1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.dir}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.dir}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""
        if not root:
            import grp, pwd
            user, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
            config += f"default_login_user = {user}\ndefault_internal_user = {user}\ndefault_internal_group = {group}\n"
            for service in ["imap-login", "anvil", "ipc"]:
                config += f"service {service} {{\n  chroot =\n}}\n"
        with open(os.path.join(self.dir, "dovecot.conf"), "w") as f:
            f.write(config)
        if root:
            for base, dirs, files in os.walk(os.path.join(self.dir, "mail")):
                for name in [base] + [os.path.join(base, d) for d in dirs]:
                    os.chown(name, uid, gid)
        os.chmod(self.dir, 0o755)

    def pid(self):
        try:
            return int(open(os.path.join(self.dir, "run", "master.pid")).read().strip())
        except (OSError, ValueError):
            return None

    def start(self):
        subprocess.run(["/usr/sbin/dovecot", "-c", os.path.join(self.dir, "dovecot.conf")], check=True,
                       stderr=open(os.path.join(self.dir, "startup.err"), "w"))
        wait_until(lambda: accepts(self.port), 10, "dovecot to listen")

    def stop(self):
        pid = self.pid()
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                os.remove(os.path.join(self.dir, "run", "master.pid"))
            except OSError:
                pass
        wait_until(lambda: not accepts(self.port), 5, "dovecot to stop")


def wait_until(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class API:
    def __init__(self, base, token):
        self.base, self.token = base, token

    def call(self, method, path, body=None, expect=(200, 201, 204)):
        request = urllib.request.Request(self.base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=70) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        if status not in expect:
            raise AssertionError(f"{method} {path}: {status} {text}")
        return status, (json.loads(text) if text else None)

    def trigger(self, monitor):
        """A check now (retried while the monitor was triggered moments ago: 429)."""
        for _ in range(40):
            status, body = self.call("POST", f"/api/imap-pop-monitors/{monitor}/trigger-check", expect=(200, 201, 429))
            if status != 429:
                return body
            time.sleep(0.5)
        raise AssertionError("trigger-check stayed 429")


def main():
    ensure_selenium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="mm-browser-")
    os.chmod(work, 0o755)  # Dovecot's auth process reads its users file below it
    shutil.rmtree(SHOTS, ignore_errors=True)
    os.makedirs(SHOTS)
    shutil.copytree(os.path.join(ROOT, "scripts"), os.path.join(work, "scripts"))
    database = os.path.join(work, "mailmon.sqlite")
    env = dict(os.environ, MAILMON_DATABASE=database, MAILMON_AUTH_FAILURE_LIMIT="1000")

    def token(role):
        out = subprocess.run([binary, "token", "create", "--role", role], env=env, capture_output=True, text=True, check=True).stdout
        return re.search(r"\b(mm_[A-Za-z0-9_-]{40})\b", out).group(1)

    admin, readonly = token("admin"), token("readonly")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([binary, "serve", "--scripts", os.path.join(work, "scripts"), "--port", str(port)], env=env,
                              stdout=open(os.path.join(work, "serve.out"), "w"), stderr=subprocess.STDOUT, cwd=work)
    dovecot = Dovecot(work)
    driver = None
    seen = []  # every HTML text the browser got, to look for passwords

    def page_text():
        seen.append(driver.page_source)
        return driver.page_source

    def shot(name):
        page_text()
        driver.save_screenshot(os.path.join(SHOTS, name + ".png"))

    steps = []

    def step(name):
        steps.append(name)
        print(f"  ok  {name}", flush=True)

    try:
        wait_until(lambda: accepts(port), 30, "mailmon serve")
        api = API(base, admin)
        _, acme = api.call("POST", "/api/customers", {"name": "Acme"})
        _, other = api.call("POST", "/api/customers", {"name": "Other Customer"})
        api.call("POST", "/api/imap-pop-monitors", {
            "customerId": other["publicId"], "name": "other-mailbox", "hostname": "127.0.0.1", "port": 1,
            "imapPopConfig": {"protocol": "imap", "user": "someone", "password": OTHER_PASSWORD}})

        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ["--headless", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"]:
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
        wait = WebDriverWait(driver, 20)

        # Sign-in: signed out, / leads to the form; a bad token is refused with a message.
        driver.get(base + "/")
        wait.until(EC.presence_of_element_located((By.ID, "token")))
        assert "/login" in driver.current_url, driver.current_url
        shot("01-sign-in")
        driver.find_element(By.ID, "token").send_keys("mm_" + "x" * 40)
        driver.find_element(By.ID, "sign-in").click()
        error = wait.until(EC.presence_of_element_located((By.ID, "signin-error")))
        assert "not valid" in error.text, error.text
        shot("02-sign-in-refused")
        step("a bad token is refused on the sign-in page")
        driver.find_element(By.ID, "token").send_keys(admin)
        driver.find_element(By.ID, "sign-in").click()
        wait.until(EC.presence_of_element_located((By.ID, "new-monitor")))
        cookie = driver.get_cookie("mailmon_session")
        assert cookie and cookie["httpOnly"] and cookie.get("sameSite") == "Strict", cookie
        step("the admin token signs in; the session cookie is HttpOnly and SameSite=Strict")

        # A monitor through the form: the policy's refusal at its field, then a good one.
        driver.find_element(By.ID, "new-monitor").click()
        wait.until(EC.presence_of_element_located((By.ID, "hostname")))
        Select(driver.find_element(By.ID, "customerId")).select_by_visible_text("Acme")
        driver.find_element(By.ID, "name").send_keys("alice-inbox")
        driver.find_element(By.ID, "hostname").send_keys("imap.example.com:993")
        driver.find_element(By.ID, "port").send_keys(str(dovecot.port))
        Select(driver.find_element(By.ID, "security")).select_by_value("none")
        driver.find_element(By.ID, "user").send_keys("alice")
        driver.find_element(By.ID, "password").send_keys(ALICE_PASSWORD)
        driver.find_element(By.ID, "timeoutSeconds").clear()
        driver.find_element(By.ID, "timeoutSeconds").send_keys("5")
        driver.find_element(By.ID, "save").click()
        field_error = wait.until(EC.presence_of_element_located((By.ID, "hostname-error")))
        assert "hostname" in field_error.text.lower(), field_error.text
        assert driver.find_element(By.ID, "hostname").get_attribute("aria-invalid") == "true"
        assert driver.find_element(By.ID, "name").get_attribute("value") == "alice-inbox"
        assert driver.find_element(By.ID, "password").get_attribute("value") == ""
        shot("03-form-policy-refusal")
        step("the policy's refusal shows at the hostname field; what was typed stays, the password does not come back")
        driver.find_element(By.ID, "hostname").clear()
        driver.find_element(By.ID, "hostname").send_keys("127.0.0.1")
        driver.find_element(By.ID, "password").send_keys(ALICE_PASSWORD)
        driver.find_element(By.ID, "save").click()
        wait.until(EC.presence_of_element_located((By.ID, "monitor-name")))
        monitor = driver.current_url.rstrip("/").split("/")[-1]
        _, created = api.call("GET", f"/api/imap-pop-monitors/{monitor}")
        assert created["hostname"] == "127.0.0.1" and created["port"] == dovecot.port, created
        step("the corrected form creates the monitor through the policy")

        # The fleet page follows the checks without a reload: down against a stopped Dovecot, then up.
        driver.get(base + "/")
        row = (By.ID, f"monitor-{monitor}")
        wait.until(EC.presence_of_element_located(row))
        driver.execute_script("window.__mailmonNoReload = 42;")
        api.trigger(monitor)
        wait.until(lambda d: d.find_element(*row).get_attribute("data-state") == "down")
        assert driver.execute_script("return window.__mailmonNoReload;") == 42, "the page reloaded"
        assert driver.find_element(By.ID, "count-down").text.startswith("1"), driver.find_element(By.ID, "count-down").text
        shot("04-fleet-down")
        step("the fleet shows the monitor down (Dovecot stopped) without a reload")
        dovecot.start()
        checked = api.trigger(monitor)
        assert checked["check"]["ok"], (checked, open(os.path.join(dovecot.dir, "dovecot.log")).read()[-2000:])
        wait.until(lambda d: d.find_element(*row).get_attribute("data-state") == "up")
        assert driver.execute_script("return window.__mailmonNoReload;") == 42, "the page reloaded"
        shot("05-fleet-up")
        step("the fleet shows it up after Dovecot starts, still without a reload")

        # One monitor: check now, pause, resume, incidents.
        driver.get(f"{base}/monitors/{monitor}")
        wait.until(EC.presence_of_element_located((By.ID, "check-now")))
        time.sleep(0.1)
        for _ in range(40):
            driver.find_element(By.ID, "check-now").click()
            notice = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#notice, #problem")))
            if notice.get_attribute("id") == "notice":
                break
            time.sleep(0.5)
            driver.get(f"{base}/monitors/{monitor}")
            wait.until(EC.presence_of_element_located((By.ID, "check-now")))
        assert "passed" in driver.find_element(By.ID, "notice").text, driver.find_element(By.ID, "notice").text
        assert driver.find_element(By.ID, "state").text == "up"
        assert "messages" in driver.find_element(By.ID, "mailbox").text
        shot("06-monitor-checked")
        step("check now runs the check and shows its result")
        driver.find_element(By.ID, "pause").click()
        wait.until(EC.presence_of_element_located((By.ID, "resume")))
        assert driver.find_element(By.ID, "state").text == "disabled"
        assert api.call("GET", f"/api/imap-pop-monitors/{monitor}")[1]["status"] == "disabled"
        shot("07-monitor-paused")
        driver.find_element(By.ID, "resume").click()
        wait.until(EC.presence_of_element_located((By.ID, "pause")))
        assert api.call("GET", f"/api/imap-pop-monitors/{monitor}")[1]["status"] == "active"
        step("pause and resume change the monitor's status")
        driver.get(base + "/incidents")
        wait.until(EC.presence_of_element_located((By.ID, "no-open-incidents")))
        assert "connect_refused" in page_text()
        shot("08-incidents")
        driver.get(f"{base}/monitors/{monitor}/edit")
        wait.until(EC.presence_of_element_located((By.ID, "password")))
        assert driver.find_element(By.ID, "password").get_attribute("value") == ""
        shot("09-edit-form")
        for path in ["/customers", "/scripts"]:
            driver.get(base + path)
            wait.until(EC.presence_of_element_located((By.TAG_NAME, "table")))
            shot("10" + path.replace("/", "-"))
        step("incidents, the edit form (empty password), customers and scripts render")

        # A phone-sized window: the pages fit its width (wide tables scroll inside their box).
        driver.set_window_size(390, 844)
        for path, name in [("/", "15-phone-fleet"), (f"/monitors/{monitor}", "16-phone-monitor")]:
            driver.get(base + path)
            wait.until(EC.presence_of_element_located((By.ID, "live")))
            overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
            assert overflow <= 1, f"{path} is {overflow} px wider than a phone's window"
            shot(name)
        driver.set_window_size(1280, 900)
        step("on a phone-sized window the fleet and monitor pages fit its width")

        # What the pages fetch while open carries no password either.
        for path in ["/fleet/live", f"/monitors/{monitor}/live", "/incidents/live"]:
            seen.append(driver.execute_script(
                "return await (await fetch(arguments[0], {credentials: 'same-origin'})).text();", path))
        csrf = driver.find_element(By.NAME, "csrf").get_attribute("value")
        admin_cookie = driver.get_cookie("mailmon_session")["value"]

        # Forged POSTs: another origin, or a wrong CSRF token, with the admin's own session.
        def post(path, fields, cookie, origin):
            data = urllib.parse.urlencode(fields).encode()
            request = urllib.request.Request(base + path, data=data, method="POST", headers={
                "Cookie": f"mailmon_session={cookie}", "Origin": origin, "Content-Type": "application/x-www-form-urlencoded"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code
        assert post(f"/monitors/{monitor}/pause", {"csrf": csrf}, admin_cookie, "http://evil.example") == 403
        assert post(f"/monitors/{monitor}/pause", {"csrf": "forged"}, admin_cookie, base) == 403
        assert api.call("GET", f"/api/imap-pop-monitors/{monitor}")[1]["status"] == "active"
        step("a POST from another origin or with a wrong CSRF token is refused (403) and changes nothing")

        # Sign out, then a readonly token: it sees, it cannot change.
        driver.get(base + "/")
        wait.until(EC.presence_of_element_located((By.ID, "sign-out")))
        driver.find_element(By.ID, "sign-out").click()
        wait.until(EC.presence_of_element_located((By.ID, "token")))
        assert post(f"/monitors/{monitor}/pause", {"csrf": csrf}, admin_cookie, base) in (401, 403)
        step("sign out ends the session (its cookie no longer works)")
        driver.find_element(By.ID, "token").send_keys(readonly)
        driver.find_element(By.ID, "sign-in").click()
        wait.until(EC.presence_of_element_located((By.ID, "live")))
        assert not driver.find_elements(By.ID, "new-monitor")
        shot("11-readonly-fleet")
        driver.get(f"{base}/monitors/{monitor}")
        wait.until(EC.presence_of_element_located((By.ID, "state")))
        for control in ["check-now", "pause", "resume", "edit"]:
            assert not driver.find_elements(By.ID, control), control
        shot("12-readonly-monitor")
        readonly_csrf = driver.find_element(By.NAME, "csrf").get_attribute("value")
        readonly_cookie = driver.get_cookie("mailmon_session")["value"]
        # Its own session's POSTs meet the same policies as its API calls: no check on demand, no edit.
        # (The reference API lets a readonly token change a monitor's status only; the page offers no button for it.)
        refused = post(f"/monitors/{monitor}/check", {"csrf": readonly_csrf}, readonly_cookie, base)
        assert refused == 403, refused
        refused = post(f"/monitors/{monitor}/edit", {"csrf": readonly_csrf, "name": "renamed", "hostname": "127.0.0.1",
                                                      "checkInterval": "5", "timeoutSeconds": "5", "protocol": "imap",
                                                      "security": "none", "user": "alice"}, readonly_cookie, base)
        assert refused == 403, refused
        assert api.call("GET", f"/api/imap-pop-monitors/{monitor}")[1]["name"] == "alice-inbox"
        driver.get(f"{base}/monitors/{monitor}/edit")
        wait.until(EC.presence_of_element_located((By.ID, "problem")))
        shot("13-readonly-edit-refused")
        step("a readonly token sees no edit controls; its check and edit POSTs and the edit form are refused (403)")

        # Acme's public status page: its monitor, not the other customer's, no hostname, no sign-in needed.
        _, acme_page = api.call("PATCH", f"/api/customers/{acme['publicId']}", {"statusPage": {"enabled": True}})
        status_path = acme_page["statusPage"]["path"]
        driver.delete_all_cookies()
        driver.get(base + status_path)
        wait.until(EC.presence_of_element_located((By.ID, "monitors")))
        status_html = page_text()
        assert "alice-inbox" in status_html and "other-mailbox" not in status_html, status_html
        assert "127.0.0.1" not in driver.find_element(By.ID, "main").text
        assert len(driver.find_elements(By.CSS_SELECTOR, "#monitors svg rect")) == 90
        shot("14-status-page")
        step("the customer's status page shows its monitor with 90 daily bars, not the other customer's, no hostname")

        for text in seen:
            assert ALICE_PASSWORD not in text and OTHER_PASSWORD not in text, "a mailbox password reached the browser"
        step(f"no mailbox password in {len(seen)} pages and fetched fragments")
        print(f"browser test: {len(steps)} steps passed; screenshots in {SHOTS}")
        return 0
    except Exception:
        if driver is not None:
            try:
                driver.save_screenshot(os.path.join(SHOTS, "failure.png"))
                print("page at failure:", driver.current_url, file=sys.stderr)
            except Exception:
                pass
        print(open(os.path.join(work, "serve.out")).read()[-4000:], file=sys.stderr)
        raise
    finally:
        if driver is not None:
            driver.quit()
        dovecot.stop()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
