# stall_consumer.py PORT QUEUE: a RabbitMQ consumer on 127.0.0.1:PORT that
# takes its prefetch of 2 messages from QUEUE and never acknowledges one,
# the classic stalled consumer. Prints "consuming" once it is attached.
import sys

import pika

conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", int(sys.argv[1])))
ch = conn.channel()
ch.basic_qos(prefetch_count=2)
ch.basic_consume(queue=sys.argv[2], on_message_callback=lambda *args: None, auto_ack=False)
print("consuming", flush=True)
ch.start_consuming()
