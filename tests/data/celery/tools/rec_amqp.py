# rec_amqp.py PORT OUT: record celeryev worker.# events and celery.pidbox broadcasts with arrival time, raw body and properties
import sys, time, json, pika
c = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', int(sys.argv[1])))
ch = c.channel()
q = ch.queue_declare('vakt-rec', exclusive=True, auto_delete=True).method.queue
ch.exchange_declare('celeryev', 'topic', durable=True)
ch.exchange_declare('celery.pidbox', 'fanout', durable=False)
ch.queue_bind(q, 'celeryev', 'worker.#')
ch.queue_bind(q, 'celery.pidbox', '')
out = open(sys.argv[2], 'a', buffering=1)
def cb(ch, m, p, body):
    rec = {'t': time.time(), 'exchange': m.exchange, 'routing_key': m.routing_key,
           'properties': {'content_type': p.content_type, 'content_encoding': p.content_encoding, 'headers': p.headers,
                          'delivery_mode': p.delivery_mode, 'priority': p.priority, 'timestamp': p.timestamp,
                          'correlation_id': p.correlation_id, 'reply_to': p.reply_to},
           'raw': body.decode('utf-8', 'replace')}
    try: rec['body'] = json.loads(body)
    except Exception as e: rec['err'] = str(e)
    out.write(json.dumps(rec, default=str) + '\n')
ch.basic_consume(q, cb, auto_ack=True)
ch.start_consuming()
