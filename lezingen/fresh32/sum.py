import json,sys
try:
    d=json.load(open(sys.argv[1]))
except Exception as ex:
    print("NO JSON:", open(sys.argv[1]).read()[:1500]); print(open(sys.argv[2]).read()[-2500:]); sys.exit()
print("waarschuwingen:", d.get('waarschuwingen'))
full = len(sys.argv)>3
for e in d['advies']['effecten']:
    print(f"== effect {e['id']} persoon={e.get('persoon')} kind={e.get('kind')} leefgebied={e['leefgebied']}")
    print("   stap2:", e['stap2'].get('domeinen'))
    for i in e['stap4']['instrumenten']:
        if i['pakket']!='jeugdwet' and not full: 
            continue
        print(f" - [{i['status']}] {i['id']} ({i['rechtsgrond']['tekst']})")
        for r in i['redenen']:
            if (i['status']!='voorwaardelijk' and r.get('stand')!='voldaan') or full or ('onzeker' in r.get('stand','')):
                print(f"     . {r['stand']}: {r['uitleg'][:230]} [{r.get('citaat')}]")
        q=[x for x in i['nog_uitvragen'] if x.startswith('personen')]
        if q: print("     ?pers ", q)
    others=[(i['id'],i['status']) for i in e['stap4']['instrumenten'] if i['pakket']!='jeugdwet']
    if not full: print("   other:", others)
    nvt=[(x['id'],x['reden']) for x in e['stap4'].get('niet_van_toepassing',[]) if x['id'].startswith('jeugdwet')]
    print("   jw niet_van_toepassing:", nvt)
    print("   nog_uitvragen(effect):", [q['feit'] for q in e.get('nog_uitvragen',[])][:40])
    ks=[k for k in e['stap4'] if k not in ('instrumenten','niet_van_toepassing')]
    if ks: print("   stap4 extra keys:", ks)
