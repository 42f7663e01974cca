#!/bin/bash
# run one casus, store json + text
f=$1; b=$(basename $f .yaml)
cd /work/wt-kind
PYTHONPATH=/work/wt-kind OT_SHARED=/work/shared /work/main/.venv/bin/python -m cli.main advies --json /tmp/fresh32/casus/$b.yaml > /tmp/fresh32/out/$b.json 2> /tmp/fresh32/out/$b.err
echo "rc=$?" >> /tmp/fresh32/out/$b.err
python3 /tmp/fresh32/sum.py /tmp/fresh32/out/$b.json /tmp/fresh32/out/$b.err
