<?xml version="1.0" encoding="utf-8"?>
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:xlink="http://www.w3.org/1999/xlink"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:app="http://skjema.geonorge.no/SOSI/produktspesifikasjon/Postnummeromrader/20180215" gml:id="Postnummeromrader"
  xsi:schemaLocation="http://skjema.geonorge.no/SOSI/produktspesifikasjon/Postnummeromrader/20180215 http://skjema.geonorge.no/SOSI/produktspesifikasjon/Postnummeromrader/20180215/Postnummeromrader.xsd http://www.opengis.net/gml/3.2 http://schemas.opengis.net/gml/3.2.1/gml.xsd">
  <gml:featureMember>
    <app:Postnummerområde gml:id="postnummeromrade.0">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>pnr-0756-0</app:lokalId>
        <app:navnerom>https://data.geonorge.no/sosi/postnummeromrader</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:oppdateringsdato>2023-01-26T00:00:00</app:oppdateringsdato>
      <app:datauttaksdato>2026-06-01T03:12:00</app:datauttaksdato>
      <app:område><gml:Surface gml:id="flate.0" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:patches><gml:PolygonPatch><gml:exterior><gml:LinearRing><gml:posList>256443.75 6654655.62 256630.14 6654084.86 256503.90 6653869.81 256712.36 6653632.68 256649.24 6653525.15 256343.91 6653992.07 256259.02 6653997.68 256246.78 6654217.75 256247.05 6654221.85 256246.47 6654223.21 256243.88 6654269.75 256136.10 6654624.98 256164.91 6654674.05 256276.44 6654666.67 256332.21 6654662.99 256407.03 6654099.59 256518.59 6654092.22 256443.75 6654655.62</gml:posList></gml:LinearRing></gml:exterior></gml:PolygonPatch></gml:patches></gml:Surface></app:område>
      <app:postnummerOmrådeId><app:PostnummerområdeId><app:postnummer>0756</app:postnummer>
        <app:poststed>OSLO</app:poststed></app:PostnummerområdeId></app:postnummerOmrådeId>
      <app:kommune>0301</app:kommune>
    </app:Postnummerområde>
  </gml:featureMember>
  <gml:featureMember>
    <app:Postnummerområdegrense gml:id="postnummeromradegrense.0">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>grense-0</app:lokalId>
        <app:navnerom>https://data.geonorge.no/sosi/postnummeromrader</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:oppdateringsdato>2023-01-26T00:00:00</app:oppdateringsdato>
      <app:grense><gml:Curve gml:id="kurve.0" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:segments><gml:LineStringSegment><gml:posList>256443.75 6654655.62 256630.14 6654084.86 256503.90 6653869.81 256712.36 6653632.68 256649.24 6653525.15 256343.91 6653992.07 256259.02 6653997.68 256246.78 6654217.75 256247.05 6654221.85 256246.47 6654223.21 256243.88 6654269.75 256136.10 6654624.98 256164.91 6654674.05 256276.44 6654666.67 256332.21 6654662.99 256407.03 6654099.59 256518.59 6654092.22 256443.75 6654655.62</gml:posList>
        </gml:LineStringSegment></gml:segments></gml:Curve></app:grense>
    </app:Postnummerområdegrense>
  </gml:featureMember>
  <gml:featureMember>
    <app:Postnummerområde gml:id="postnummeromrade.1">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>pnr-0756-1</app:lokalId>
        <app:navnerom>https://data.geonorge.no/sosi/postnummeromrader</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:oppdateringsdato>2023-01-26T00:00:00</app:oppdateringsdato>
      <app:datauttaksdato>2026-06-01T03:12:00</app:datauttaksdato>
      <app:område><gml:Surface gml:id="flate.1" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:patches><gml:PolygonPatch><gml:exterior><gml:LinearRing><gml:posList>256246.78 6654217.75 256259.02 6653997.68 256232.35 6653999.44 256246.78 6654217.75</gml:posList></gml:LinearRing></gml:exterior></gml:PolygonPatch><gml:PolygonPatch><gml:exterior><gml:LinearRing><gml:posList>256136.10 6654624.98 256243.88 6654269.75 256246.47 6654223.21 256101.78 6654566.53 256136.10 6654624.98</gml:posList></gml:LinearRing></gml:exterior></gml:PolygonPatch></gml:patches></gml:Surface></app:område>
      <app:postnummerOmrådeId><app:PostnummerområdeId><app:postnummer>0756</app:postnummer>
        <app:poststed>OSLO</app:poststed></app:PostnummerområdeId></app:postnummerOmrådeId>
      <app:kommune>3201</app:kommune>
    </app:Postnummerområde>
  </gml:featureMember>
  <gml:featureMember>
    <app:Postnummerområdegrense gml:id="postnummeromradegrense.1">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>grense-1</app:lokalId>
        <app:navnerom>https://data.geonorge.no/sosi/postnummeromrader</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:oppdateringsdato>2023-01-26T00:00:00</app:oppdateringsdato>
      <app:grense><gml:Curve gml:id="kurve.1" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:segments><gml:LineStringSegment><gml:posList>256246.78 6654217.75 256259.02 6653997.68 256232.35 6653999.44 256246.78 6654217.75</gml:posList>
        </gml:LineStringSegment></gml:segments></gml:Curve></app:grense>
    </app:Postnummerområdegrense>
  </gml:featureMember>
  <gml:featureMember>
    <app:Postnummerområde gml:id="postnummeromrade.2">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>pnr-1336-2</app:lokalId>
        <app:navnerom>https://data.geonorge.no/sosi/postnummeromrader</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:oppdateringsdato>2023-01-26T00:00:00</app:oppdateringsdato>
      <app:datauttaksdato>2026-06-01T03:12:00</app:datauttaksdato>
      <app:område><gml:Surface gml:id="flate.2" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:patches><gml:PolygonPatch><gml:exterior><gml:LinearRing><gml:posList>247828.63 6649090.50 248003.78 6649190.27 248260.33 6648837.65 248580.36 6648592.44 248788.70 6648354.86 248151.44 6648063.09 247976.24 6647963.32 247641.00 6647986.19 247358.97 6648787.44 247206.60 6649021.29 247493.49 6649113.39 247828.63 6649090.50</gml:posList></gml:LinearRing></gml:exterior></gml:PolygonPatch></gml:patches></gml:Surface></app:område>
      <app:postnummerOmrådeId><app:PostnummerområdeId><app:postnummer>1336</app:postnummer>
        <app:poststed>SANDVIKA</app:poststed></app:PostnummerområdeId></app:postnummerOmrådeId>
      <app:kommune>3201</app:kommune>
    </app:Postnummerområde>
  </gml:featureMember>
  <gml:featureMember>
    <app:Postnummerområdegrense gml:id="postnummeromradegrense.2">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>grense-2</app:lokalId>
        <app:navnerom>https://data.geonorge.no/sosi/postnummeromrader</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:oppdateringsdato>2023-01-26T00:00:00</app:oppdateringsdato>
      <app:grense><gml:Curve gml:id="kurve.2" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:segments><gml:LineStringSegment><gml:posList>247828.63 6649090.50 248003.78 6649190.27 248260.33 6648837.65 248580.36 6648592.44 248788.70 6648354.86 248151.44 6648063.09 247976.24 6647963.32 247641.00 6647986.19 247358.97 6648787.44 247206.60 6649021.29 247493.49 6649113.39 247828.63 6649090.50</gml:posList>
        </gml:LineStringSegment></gml:segments></gml:Curve></app:grense>
    </app:Postnummerområdegrense>
  </gml:featureMember>
  <gml:featureMember>
    <app:Postnummerområde gml:id="postnummeromrade.3">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>pnr-1337-3</app:lokalId>
        <app:navnerom>https://data.geonorge.no/sosi/postnummeromrader</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:oppdateringsdato>2023-01-26T00:00:00</app:oppdateringsdato>
      <app:datauttaksdato>2026-06-01T03:12:00</app:datauttaksdato>
      <app:område><gml:Surface gml:id="flate.3" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:patches><gml:PolygonPatch><gml:exterior><gml:LinearRing><gml:posList>248504.72 6647480.49 249015.19 6647557.51 249071.07 6647553.72 249160.20 6647212.54 248921.56 6647005.32 248634.57 6646913.11 248474.47 6647035.71 248504.72 6647480.49</gml:posList></gml:LinearRing></gml:exterior></gml:PolygonPatch></gml:patches></gml:Surface></app:område>
      <app:postnummerOmrådeId><app:PostnummerområdeId><app:postnummer>1337</app:postnummer>
        <app:poststed>SANDVIKA</app:poststed></app:PostnummerområdeId></app:postnummerOmrådeId>
      <app:kommune>3201</app:kommune>
    </app:Postnummerområde>
  </gml:featureMember>
  <gml:featureMember>
    <app:Postnummerområdegrense gml:id="postnummeromradegrense.3">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>grense-3</app:lokalId>
        <app:navnerom>https://data.geonorge.no/sosi/postnummeromrader</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:oppdateringsdato>2023-01-26T00:00:00</app:oppdateringsdato>
      <app:grense><gml:Curve gml:id="kurve.3" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:segments><gml:LineStringSegment><gml:posList>248504.72 6647480.49 249015.19 6647557.51 249071.07 6647553.72 249160.20 6647212.54 248921.56 6647005.32 248634.57 6646913.11 248474.47 6647035.71 248504.72 6647480.49</gml:posList>
        </gml:LineStringSegment></gml:segments></gml:Curve></app:grense>
    </app:Postnummerområdegrense>
  </gml:featureMember>
  <gml:featureMember>
    <app:Postnummerområde gml:id="postnummeromrade.4">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>pnr-1337-4</app:lokalId>
        <app:navnerom>https://data.geonorge.no/sosi/postnummeromrader</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:oppdateringsdato>2023-01-26T00:00:00</app:oppdateringsdato>
      <app:datauttaksdato>2026-06-01T03:12:00</app:datauttaksdato>
      <app:område><gml:Surface gml:id="flate.4" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:patches><gml:PolygonPatch><gml:exterior><gml:LinearRing><gml:posList>250448.92 6646343.42 250039.32 6646929.60 249752.36 6646837.30 249417.02 6646860.01 249271.97 6647204.96 249071.07 6647553.72 249190.37 6647657.33 249406.35 6647530.98 249622.34 6647404.64 249741.62 6647508.27 249533.17 6647745.80 248862.66 6647791.28 248885.32 6648124.87 249205.46 6647879.72 249339.83 6648205.73 249999.53 6648831.29 250238.00 6649038.58 250245.51 6649149.78 250793.21 6649783.02 250960.74 6649771.72 250994.11 6649434.36 250867.41 6649219.50 249928.62 6648612.68 249969.44 6648386.50 249786.78 6648175.45 249883.48 6647945.49 250297.12 6648252.64 250483.07 6647681.57 250419.69 6647574.14 250963.49 6647314.06 251030.34 6646639.35 250448.92 6646343.42</gml:posList></gml:LinearRing></gml:exterior></gml:PolygonPatch></gml:patches></gml:Surface></app:område>
      <app:postnummerOmrådeId><app:PostnummerområdeId><app:postnummer>1337</app:postnummer>
        <app:poststed>SANDVIKA</app:poststed></app:PostnummerområdeId></app:postnummerOmrådeId>
      <app:kommune>3201</app:kommune>
    </app:Postnummerområde>
  </gml:featureMember>
  <gml:featureMember>
    <app:Postnummerområdegrense gml:id="postnummeromradegrense.4">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>grense-4</app:lokalId>
        <app:navnerom>https://data.geonorge.no/sosi/postnummeromrader</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:oppdateringsdato>2023-01-26T00:00:00</app:oppdateringsdato>
      <app:grense><gml:Curve gml:id="kurve.4" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:segments><gml:LineStringSegment><gml:posList>250448.92 6646343.42 250039.32 6646929.60 249752.36 6646837.30 249417.02 6646860.01 249271.97 6647204.96 249071.07 6647553.72 249190.37 6647657.33 249406.35 6647530.98 249622.34 6647404.64 249741.62 6647508.27 249533.17 6647745.80 248862.66 6647791.28 248885.32 6648124.87 249205.46 6647879.72 249339.83 6648205.73 249999.53 6648831.29 250238.00 6649038.58 250245.51 6649149.78 250793.21 6649783.02 250960.74 6649771.72 250994.11 6649434.36 250867.41 6649219.50 249928.62 6648612.68 249969.44 6648386.50 249786.78 6648175.45 249883.48 6647945.49 250297.12 6648252.64 250483.07 6647681.57 250419.69 6647574.14 250963.49 6647314.06 251030.34 6646639.35 250448.92 6646343.42</gml:posList>
        </gml:LineStringSegment></gml:segments></gml:Curve></app:grense>
    </app:Postnummerområdegrense>
  </gml:featureMember>
  <gml:featureMember>
    <app:Postnummerområde gml:id="postnummeromrade.5">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>pnr-1358-5</app:lokalId>
        <app:navnerom>https://data.geonorge.no/sosi/postnummeromrader</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:oppdateringsdato>2023-01-26T00:00:00</app:oppdateringsdato>
      <app:datauttaksdato>2026-06-01T03:12:00</app:datauttaksdato>
      <app:område><gml:Surface gml:id="flate.5" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:patches><gml:PolygonPatch><gml:exterior><gml:LinearRing><gml:posList>254530.03 6651990.12 254901.81 6652523.89 255321.92 6652942.79 255545.10 6652927.99 256103.06 6652891.07 256032.56 6652672.35 256177.92 6652327.67 256044.26 6652001.43 255624.15 6651582.45 255553.61 6651363.74 255706.35 6651130.25 255524.16 6650918.92 255795.94 6650789.25 255766.52 6650344.43 255584.30 6650133.10 255375.68 6650370.29 255144.97 6650273.89 254873.17 6650403.61 254594.00 6650422.15 254244.20 6650222.02 254084.10 6650344.37 254322.23 6650551.91 254281.20 6650778.03 254002.06 6650796.61 254303.40 6651111.64 254150.74 6651345.19 254291.98 6651782.57 254370.00 6652112.47 254530.03 6651990.12</gml:posList></gml:LinearRing></gml:exterior></gml:PolygonPatch></gml:patches></gml:Surface></app:område>
      <app:postnummerOmrådeId><app:PostnummerområdeId><app:postnummer>1358</app:postnummer>
        <app:poststed>JAR</app:poststed></app:PostnummerområdeId></app:postnummerOmrådeId>
      <app:kommune>3201</app:kommune>
    </app:Postnummerområde>
  </gml:featureMember>
  <gml:featureMember>
    <app:Postnummerområdegrense gml:id="postnummeromradegrense.5">
      <app:identifikasjon><app:Identifikasjon><app:lokalId>grense-5</app:lokalId>
        <app:navnerom>https://data.geonorge.no/sosi/postnummeromrader</app:navnerom></app:Identifikasjon></app:identifikasjon>
      <app:oppdateringsdato>2023-01-26T00:00:00</app:oppdateringsdato>
      <app:grense><gml:Curve gml:id="kurve.5" srsName="urn:ogc:def:crs:EPSG::25833">
        <gml:segments><gml:LineStringSegment><gml:posList>254530.03 6651990.12 254901.81 6652523.89 255321.92 6652942.79 255545.10 6652927.99 256103.06 6652891.07 256032.56 6652672.35 256177.92 6652327.67 256044.26 6652001.43 255624.15 6651582.45 255553.61 6651363.74 255706.35 6651130.25 255524.16 6650918.92 255795.94 6650789.25 255766.52 6650344.43 255584.30 6650133.10 255375.68 6650370.29 255144.97 6650273.89 254873.17 6650403.61 254594.00 6650422.15 254244.20 6650222.02 254084.10 6650344.37 254322.23 6650551.91 254281.20 6650778.03 254002.06 6650796.61 254303.40 6651111.64 254150.74 6651345.19 254291.98 6651782.57 254370.00 6652112.47 254530.03 6651990.12</gml:posList>
        </gml:LineStringSegment></gml:segments></gml:Curve></app:grense>
    </app:Postnummerområdegrense>
  </gml:featureMember>
</gml:FeatureCollection>
