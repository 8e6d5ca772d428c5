import os, time
from celery import Celery
app = Celery('tasks', broker=os.environ['BROKER'])
app.conf.broker_connection_retry_on_startup = True
@app.task
def add(x, y):
    return x + y
@app.task
def sleep(n):
    time.sleep(n)
    return n
@app.task(acks_late=True)
def sleep_late(n):
    time.sleep(n)
    return n
