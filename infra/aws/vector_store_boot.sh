#!/bin/bash
# Boot script of the vector store host (Amazon Linux 2023). Rendered by vector_store.py:
# it carries the secret's ARN, never its value.
set -euo pipefail

dnf install -y docker
systemctl enable --now docker

# The data volume: format once, mount by UUID.
device="/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$$(echo "${volume_id}" | tr -d -)"
for _ in $$(seq 1 60); do [ -e "$$device" ] && break; sleep 5; done
if ! blkid "$$device" >/dev/null 2>&1; then mkfs.xfs "$$device"; fi
mkdir -p /data
uuid="$$(blkid -s UUID -o value "$$device")"
grep -q "$$uuid" /etc/fstab || echo "UUID=$$uuid /data xfs defaults,nofail 0 2" >> /etc/fstab
mount -a
mkdir -p /data/${engine}

# The API key: read through the instance role into a root-only env file.
umask 077
key="$$(aws secretsmanager get-secret-value --region "${region}" \
  --secret-id "${secret_arn}" --query SecretString --output text)"
{
  echo "${key_env}=$$key"
  if [ "${engine}" = chroma ]; then
    echo "CHROMA_SERVER_AUTHN_PROVIDER=chromadb.auth.token_authn.TokenAuthenticationServerProvider"
    echo "CHROMA_AUTH_TOKEN_TRANSPORT_HEADER=Authorization"
  fi
} > /etc/vector-store.env
unset key

docker rm -f vector-store >/dev/null 2>&1 || true
docker run -d --name vector-store --restart unless-stopped \
  --env-file /etc/vector-store.env \
  -p ${port}:${port} -v /data/${engine}:${data_dir} \
  --log-driver awslogs --log-opt awslogs-region="${region}" \
  --log-opt awslogs-group="${log_group}" --log-opt awslogs-stream=vector-store \
  "${image}"
