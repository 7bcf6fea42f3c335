"""Drives the daemon's page in headless Chromium, as a performer would: waits for the notes
played into the daemon to show in the piano roll, moves the temperature slider, taps "keep",
and saves a screenshot. Prints what it saw as one JSON line; exits non-zero on a timeout."""
import json
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

url, screenshot = sys.argv[1], sys.argv[2]
options = Options()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"]:
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait(what, test, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = test()
        if value:
            return value
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}; page says: {driver.find_element(By.ID, 'message').text!r}")


try:
    driver.get(url)
    wait("the WebSocket", lambda: driver.find_element(By.ID, "connection").text == "connected")
    notes_in = int(wait("notes in the roll", lambda: int(driver.find_element(By.ID, "notes-in").text) > 0 and driver.find_element(By.ID, "notes-in").text))
    wait("the knobs", lambda: driver.find_elements(By.ID, "knob-temperature"))
    slider = driver.find_element(By.ID, "knob-temperature")
    # A drag ends in one change event: set the position and fire it, as the browser does.
    driver.execute_script("arguments[0].value = 1.3; arguments[0].dispatchEvent(new Event('change'));", slider)
    wait("the slider's value", lambda: driver.find_element(By.ID, "value-temperature").text == "1.3")
    time.sleep(1.5)
    driver.find_element(By.ID, "keep").click()
    kept = wait("a kept phrase", lambda: [li.text for li in driver.find_elements(By.CSS_SELECTOR, "li.kept")])
    driver.find_element(By.CSS_SELECTOR, "li.kept button.like").click()
    rated = wait("the like", lambda: driver.find_element(By.CSS_SELECTOR, "li.kept .rated").text)
    wait("the machine's notes", lambda: int(driver.find_element(By.ID, "notes-out").text) > 0, seconds=10)
    answers = int(wait("the latency histogram", lambda: int(driver.find_element(By.ID, "histogram").get_attribute("data-answers") or 0) > 0
                       and driver.find_element(By.ID, "histogram").get_attribute("data-answers")))
    latency = driver.find_element(By.ID, "latency").text
    time.sleep(2)
    driver.save_screenshot(screenshot)
    print(json.dumps({"notes_in": notes_in, "kept": kept[0], "message": driver.find_element(By.ID, "message").text,
                      "notes_out": int(driver.find_element(By.ID, "notes-out").text), "rated": rated,
                      "answers_in_histogram": answers, "latency": latency}))
finally:
    driver.quit()
