#!/usr/bin/env bash
# Creates floorboard's topics on the compose Kafka (run once by the `kafka-init` service; safe to re-run).
# Input topics get KAFKA_PARTITIONS partitions (the consumer group splits them among the instances, so
# this is the most instances that can share ingestion) and KAFKA_INPUT_RETENTION_MS retention: the
# period the live state and the summaries can be rebuilt from. Existing topics keep their partition
# count (raising it moves keys to other partitions); their retention is brought in line.
set -euo pipefail

bootstrap="${KAFKA_BOOTSTRAP:-kafka:9092}"
partitions="${KAFKA_PARTITIONS:-6}"
input_retention_ms="${KAFKA_INPUT_RETENTION_MS:-1209600000}"     # 14 days
deadletter_retention_ms="${KAFKA_DEADLETTER_RETENTION_MS:-2592000000}" # 30 days
commands_retention_ms="${KAFKA_COMMANDS_RETENTION_MS:-604800000}"     # 7 days
bin=/opt/kafka/bin

for _ in $(seq 1 60); do
  "$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --list >/dev/null 2>&1 && break
  echo "waiting for Kafka at $bootstrap"
  sleep 2
done

topic() {
  local name="$1" retention_ms="$2"
  "$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$name" \
    --partitions "$partitions" --replication-factor 1 --config "retention.ms=$retention_ms"
  "$bin/kafka-configs.sh" --bootstrap-server "$bootstrap" --alter --entity-type topics \
    --entity-name "$name" --add-config "retention.ms=$retention_ms"
}

for name in "${TOPIC_CALLS:-cc.calls}" "${TOPIC_AGENTS:-cc.agents}" "${TOPIC_TICKETS:-cc.tickets}" \
  "${TOPIC_SURVEYS:-cc.surveys}"; do
  topic "$name" "$input_retention_ms"
done
topic "${TOPIC_DEADLETTER:-cc.deadletter}" "$deadletter_retention_ms"
topic "${TOPIC_COMMANDS:-cc.commands}" "$commands_retention_ms"

"$bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --describe --topics-with-overrides
