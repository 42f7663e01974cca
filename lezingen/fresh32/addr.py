import json,sys
d=json.load(open(sys.argv[1]))
def walk(t,acc):
    if isinstance(t,dict):
        if 'adres' in t and 'feit' in t: acc.append(f"{t['adres']}={t.get('gevonden')}→{t.get('uitkomst')}")
        for v in t.values(): walk(v,acc)
    elif isinstance(t,list):
        for v in t: walk(v,acc)
for e in d['advies']['effecten']:
  for i in e['stap4']['instrumenten']:
    if i['id'] in sys.argv[2].split(','):
      print('##',i['id'],i['status'])
      for k in ('voorwaarden','uitsluitingen','voorliggend'):
        for v in i.get(k,[]):
          acc=[]; walk(v.get('toets',v),acc)
          flt=[a for a in acc if ('personen' in a or 'wlz' in a or 'afgeleid' in a)]
          print('  ',k,v.get('id'),v.get('uitkomst'),'|',' ; '.join(sorted(set(flt)))[:500])
