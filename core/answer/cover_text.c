/* The cover page's fixed texts in English, Dutch and Swedish. The legal
 * terms are those of each language's official text of the GDPR (AVG in
 * Dutch, dataskyddsförordningen in Swedish). */
#include "core/answer/cover_text.h"

#include <string.h>

static const dpex_cover_lang en = {
	.code = "en",
	.months = {"January", "February", "March", "April", "May", "June",
		   "July", "August", "September", "October", "November",
		   "December"},
	.thousands = ",",
	.decimal = ".",
	.text =
		{
			[CT_TITLE] = "Your personal data",
			[CT_INTRO_ACCESS] =
				"{1} sends you this copy of the personal data "
				"it holds "
				"about you, as you asked under the right of "
				"access "
				"(Article\u00a015 GDPR). The copy was made on "
				"{2}.",
			[CT_INTRO_PORTABILITY] =
				"{1} sends you the personal data you provided, "
				"or that "
				"was recorded while you used its services, as "
				"you asked "
				"under the right to data portability "
				"(Article\u00a0"
				"20 GDPR). "
				"The files were made on {2}; you can import "
				"them into "
				"another service.",
			[CT_INTRO_PLAIN] = "This archive holds a copy of the "
					   "personal data found "
					   "about you, made on {1} in answer "
					   "to your request.",
			[CT_REQUEST] = "Reference of your request: {1}",
			[CT_README_SEE_HTML] =
				"The same information, with links to the "
				"files, is in "
				"index.html: open that file in a web browser.",
			[CT_H_SUBJECT] = "Who this is about",
			[CT_SUBJECT_INTRO] =
				"We searched every system for data about "
				"you with these identifiers:",
			[CT_TH_IDENTIFIER] = "Identifier",
			[CT_TH_VALUE] = "Value",
			[CT_H_GLANCE] = "Your data at a glance",
			[CT_GLANCE_INTRO] = "How many records we found about "
					    "you in each table:",
			[CT_TH_TABLE] = "Table",
			[CT_TH_SYSTEM] = "System",
			[CT_TH_ROWS] = "Records",
			[CT_TOTAL] = "Total",
			[CT_H_FILES] = "The files in this archive",
			[CT_FILES_INTRO] = "The same data comes in several "
					   "formats, so you can use "
					   "whichever suits you. To read it "
					   "yourself, open the "
					   "spreadsheet (data.xlsx) or the CSV "
					   "files. To move it "
					   "to another service, use data.json "
					   "or the CSV files: "
					   "they are open, common formats that "
					   "other programs "
					   "read.",
			[CT_TH_FILE] = "File",
			[CT_TH_FILE_USE] = "What it is for",
			[CT_TH_SIZE] = "Size",
			[CT_FILE_INDEX_HTML] = "This page.",
			[CT_FILE_INDEX_TEXT] =
				"This information as a web page, with links to "
				"the "
				"files: open it in a web browser.",
			[CT_FILE_README_HTML] = "The same information as this "
						"page, as plain text.",
			[CT_FILE_README_TEXT] = "This file.",
			[CT_FILE_DATA_JSON] =
				"All your data in one JSON file: for computer "
				"programs, "
				"and to move your data to another service.",
			[CT_FILE_CSV] =
				"The table “{1}” as CSV (comma-separated "
				"values, UTF\u20118): opens in any spreadsheet "
				"program.",
			[CT_FILE_CSV_SAFE] = "The table “{1}” as CSV made safe "
					     "for spreadsheet "
					     "programs: a text that would run "
					     "as a formula starts "
					     "with an apostrophe.",
			[CT_FILE_XLSX] =
				"All tables in one spreadsheet (Excel, "
				"LibreOffice, Numbers), one sheet per table.",
			[CT_FILE_MANIFEST] = "A list of every file with its "
					     "size and SHA-256 "
					     "checksum, so you can check that "
					     "nothing was changed "
					     "or lost.",
			[CT_FILE_ABOUT] =
				"The information on this page as JSON, for "
				"computer programs.",
			[CT_FILE_OTHER] = "Part of the answer to your request.",
			[CT_H_CATEGORIES] = "What we hold and why",
			[CT_CATEGORIES_INTRO] = "For each kind of data in this "
						"archive: why we use it, "
						"on what legal basis, where it "
						"comes from, how long we "
						"keep it and who receives it.",
			[CT_NO_CATEGORIES] = "Information about the kinds of "
					     "data (purposes, legal "
					     "basis, origin, retention and "
					     "recipients) is not "
					     "available in this archive. Ask "
					     "the organisation that "
					     "sent it to you: it must tell you "
					     "(Article\u00a015 GDPR).",
			[CT_TH_CAT_DATA] = "Data",
			[CT_TH_PURPOSES] = "Purposes",
			[CT_TH_LEGAL_BASIS] = "Legal basis",
			[CT_TH_ORIGIN] = "Where it comes from",
			[CT_TH_RETENTION] = "How long we keep it",
			[CT_TH_RECIPIENTS] = "Who receives it",
			[CT_TH_AUTOMATED] = "Automated decisions",
			[CT_NOT_STATED] = "Not stated",
			[CT_NONE] = "None",
			[CT_ORIGIN_PROVIDED] = "You gave it to us.",
			[CT_ORIGIN_OBSERVED] =
				"We recorded it while you used our services.",
			[CT_ORIGIN_DERIVED] =
				"We derived it from other data about you.",
			[CT_ORIGIN_THIRD_PARTY] = "We received it from: {1}.",
			[CT_ORIGIN_THIRD_PARTY_UNNAMED] =
				"We received it from another party.",
			[CT_ORIGIN_ASSIGNED] = "We assigned it to you.",
			[CT_BASIS_CONSENT] = "your consent",
			[CT_BASIS_CONTRACT] = "performing a contract with you",
			[CT_BASIS_LEGAL_OBLIGATION] = "a legal obligation",
			[CT_BASIS_VITAL_INTERESTS] =
				"protecting vital interests",
			[CT_BASIS_PUBLIC_TASK] =
				"a task in the public interest",
			[CT_BASIS_LEGITIMATE_INTERESTS] =
				"our legitimate interests",
			[CT_ARTICLE] = "Art.\u00a0{1} GDPR",
			[CT_AUTOMATED_NONE] = "No automated decisions are made "
					      "with this data.",
			[CT_AUTOMATED_LOGIC] = "How it works: {1}",
			[CT_AUTOMATED_SIGNIFICANCE] =
				"What it means for you: {1}",
			[CT_PROFILING] = "This is profiling.",
			[CT_ROWS_ONE] = "{1} record",
			[CT_ROWS_MANY] = "{1} records",
			[CT_SAFEGUARDS] = "safeguards: {1}",
			[CT_H_TRANSFERS] =
				"Transfers outside the European Economic Area",
			[CT_TRANSFERS_INTRO] =
				"Some recipients are outside the EEA. This is "
				"how your "
				"data is protected there (Article\u00a015(2) "
				"GDPR):",
			[CT_TH_RECIPIENT] = "Recipient",
			[CT_TH_COUNTRY] = "Country",
			[CT_TH_SAFEGUARDS] = "Safeguards",
			[CT_H_EXCLUDED] = "What is not in this archive",
			[CT_EXCLUDED_INTRO] =
				"The right to data portability "
				"covers only data you "
				"provided or that was recorded, "
				"processed with your "
				"consent or for a contract. "
				"These tables were left out "
				"for that reason; you can ask "
				"for them under the right "
				"of access (Article\u00a015 GDPR):",
			[CT_TH_REASON] = "Why",
			[CT_H_REDACTIONS] = "Information about other people",
			[CT_REDACTIONS_INTRO] =
				"Your data sometimes mentions other people, "
				"such as "
				"the employee who helped you. To protect their "
				"rights "
				"(Article\u00a015(4) GDPR) we removed or "
				"replaced "
				"those "
				"details. Number of changes per field:",
			[CT_TH_FIELD] = "Field",
			[CT_TH_REDACTED] = "Changes",
			[CT_H_RIGHTS] = "Your rights",
			[CT_RIGHTS_INTRO] =
				"Under the GDPR you have these rights:",
			[CT_RIGHT_ACCESS] = "Right of access: to see the "
					    "personal data we hold "
					    "about you and get a copy of it "
					    "(Art.\u00a015 GDPR).",
			[CT_RIGHT_RECTIFICATION] =
				"Right to rectification: to have wrong or "
				"incomplete "
				"data corrected or completed (Art.\u00a016 "
				"GDPR).",
			[CT_RIGHT_ERASURE] =
				"Right to erasure: to have your "
				"data deleted, for "
				"example when we no longer need "
				"it or you withdraw "
				"your consent (Art.\u00a017 GDPR).",
			[CT_RIGHT_RESTRICTION] =
				"Right to restriction of processing: to have "
				"the use "
				"of your data limited, for example while a "
				"correction "
				"is being checked (Art.\u00a018 GDPR).",
			[CT_RIGHT_OBJECTION] = "Right to object: to use of "
					       "your data based on our "
					       "legitimate interests, and at "
					       "any time to direct "
					       "marketing (Art.\u00a021 GDPR).",
			[CT_RIGHT_PORTABILITY] =
				"Right to data portability: to receive the "
				"data you "
				"gave us in a machine-readable format, or have "
				"it sent "
				"to another organisation (Art.\u00a020 GDPR).",
			[CT_RIGHT_WITHDRAW_CONSENT] =
				"Withdrawing consent: where we rely on your "
				"consent, "
				"you can withdraw it at any time; what was "
				"done before "
				"stays lawful (Art.\u00a07(3) GDPR).",
			[CT_RIGHT_AUTOMATED] =
				"Right not to be subject to a decision made "
				"only by "
				"automated means that significantly affects "
				"you, and "
				"to have a person review it (Art.\u00a022 "
				"GDPR).",
			[CT_RIGHTS_HOW] =
				"To use any of these rights, contact {1}.",
			[CT_RIGHTS_HOW_PLAIN] = "To use any of these rights, "
						"contact the organisation "
						"that sent you this archive.",
			[CT_H_COMPLAINT] = "Making a complaint",
			[CT_COMPLAINT_AUTHORITY] =
				"If you think we handle your data wrongly, you "
				"can "
				"complain to the supervisory authority: {1}.",
			[CT_COMPLAINT_GENERIC] =
				"If you think your data is handled wrongly, "
				"you can "
				"complain to a data protection supervisory "
				"authority, "
				"in particular in the EU country where you "
				"live or "
				"work (Article\u00a077 GDPR).",
			[CT_H_CONTACT] = "Contact",
			[CT_TH_CONTROLLER] =
				"Responsible for your data (controller)",
			[CT_TH_CONTACT] = "Privacy questions",
			[CT_TH_DPO] = "Data protection officer",
			[CT_TH_ADDRESS] = "Address",
			[CT_FOOTER] = "Made with dpex {1}.",
			[CT_DATE] = "{1}\u00a0{2} {3} at {4} UTC",
		},
};

static const dpex_cover_lang nl = {
	.code = "nl",
	.months = {"januari", "februari", "maart", "april", "mei", "juni",
		   "juli", "augustus", "september", "oktober", "november",
		   "december"},
	.thousands = ".",
	.decimal = ",",
	.text =
		{
			[CT_TITLE] = "Uw persoonsgegevens",
			[CT_INTRO_ACCESS] =
				"{1} stuurt u deze kopie van de "
				"persoonsgegevens die "
				"het over u heeft, zoals u hebt "
				"gevraagd op grond van "
				"het recht op inzage (artikel\u00a015 "
				"AVG). De kopie is "
				"gemaakt op {2}.",
			[CT_INTRO_PORTABILITY] =
				"{1} stuurt u de persoonsgegevens die u zelf "
				"hebt "
				"verstrekt of die zijn vastgelegd toen u de "
				"diensten "
				"gebruikte, zoals u hebt gevraagd op grond van "
				"het "
				"recht op overdraagbaarheid van gegevens "
				"(artikel\u00a020 "
				"AVG). De bestanden zijn gemaakt op {2}; u "
				"kunt ze "
				"inlezen bij een andere dienst.",
			[CT_INTRO_PLAIN] = "Dit archief bevat een kopie van de "
					   "persoonsgegevens "
					   "die over u zijn gevonden, gemaakt "
					   "op {1} als antwoord "
					   "op uw verzoek.",
			[CT_REQUEST] = "Kenmerk van uw verzoek: {1}",
			[CT_README_SEE_HTML] =
				"Dezelfde informatie, met links naar de "
				"bestanden, "
				"staat in index.html: open dat bestand in een "
				"webbrowser.",
			[CT_H_SUBJECT] = "Over wie dit gaat",
			[CT_SUBJECT_INTRO] =
				"We hebben met deze kenmerken in alle "
				"systemen naar gegevens over u gezocht:",
			[CT_TH_IDENTIFIER] = "Kenmerk",
			[CT_TH_VALUE] = "Waarde",
			[CT_H_GLANCE] = "Uw gegevens in het kort",
			[CT_GLANCE_INTRO] =
				"Zoveel records hebben we per tabel over u "
				"gevonden:",
			[CT_TH_TABLE] = "Tabel",
			[CT_TH_SYSTEM] = "Systeem",
			[CT_TH_ROWS] = "Records",
			[CT_TOTAL] = "Totaal",
			[CT_H_FILES] = "De bestanden in dit archief",
			[CT_FILES_INTRO] =
				"Dezelfde gegevens staan in meerdere formaten, "
				"zodat u "
				"kunt kiezen wat u het beste uitkomt. Wilt u "
				"ze zelf "
				"lezen, open dan de spreadsheet (data.xlsx) of "
				"de "
				"CSV-bestanden. Wilt u ze naar een andere "
				"dienst "
				"overzetten, gebruik dan data.json of de "
				"CSV-bestanden: dat zijn open, gangbare "
				"formaten die "
				"andere programma's kunnen lezen.",
			[CT_TH_FILE] = "Bestand",
			[CT_TH_FILE_USE] = "Waarvoor",
			[CT_TH_SIZE] = "Grootte",
			[CT_FILE_INDEX_HTML] = "Deze pagina.",
			[CT_FILE_INDEX_TEXT] =
				"Deze informatie als webpagina, met links naar "
				"de "
				"bestanden: open het in een webbrowser.",
			[CT_FILE_README_HTML] = "Dezelfde informatie als deze "
						"pagina, als platte "
						"tekst.",
			[CT_FILE_README_TEXT] = "Dit bestand.",
			[CT_FILE_DATA_JSON] =
				"Al uw gegevens in één JSON-bestand: voor "
				"computerprogramma's en om uw gegevens naar "
				"een andere "
				"dienst over te zetten.",
			[CT_FILE_CSV] =
				"De tabel ‘{1}’ als CSV (kommagescheiden "
				"waarden, UTF\u20118): te openen in elk "
				"spreadsheetprogramma.",
			[CT_FILE_CSV_SAFE] =
				"De tabel ‘{1}’ als CSV, veilig om te openen "
				"in een "
				"spreadsheetprogramma: tekst die als formule "
				"zou worden "
				"uitgevoerd, begint met een apostrof.",
			[CT_FILE_XLSX] =
				"Alle tabellen in één spreadsheet (Excel, "
				"LibreOffice, Numbers), één werkblad per "
				"tabel.",
			[CT_FILE_MANIFEST] = "Een lijst van alle bestanden met "
					     "hun grootte en "
					     "SHA-256-controlegetal, zodat u "
					     "kunt nagaan dat niets "
					     "is gewijzigd of ontbreekt.",
			[CT_FILE_ABOUT] =
				"De informatie van deze pagina in JSON, voor "
				"computerprogramma's.",
			[CT_FILE_OTHER] =
				"Onderdeel van het antwoord op uw verzoek.",
			[CT_H_CATEGORIES] =
				"Welke gegevens we hebben en waarom",
			[CT_CATEGORIES_INTRO] =
				"Per soort gegevens in dit archief: waarvoor "
				"we ze "
				"gebruiken, op welke grondslag, waar ze "
				"vandaan komen, "
				"hoe lang we ze bewaren en wie ze ontvangt.",
			[CT_NO_CATEGORIES] =
				"Informatie over de soorten gegevens (doelen, "
				"grondslag, herkomst, bewaartermijn en "
				"ontvangers) is "
				"niet beschikbaar in dit archief. Vraag ernaar "
				"bij de "
				"organisatie die u dit archief heeft gestuurd: "
				"die "
				"moet het u vertellen (artikel\u00a015 AVG).",
			[CT_TH_CAT_DATA] = "Gegevens",
			[CT_TH_PURPOSES] = "Doelen",
			[CT_TH_LEGAL_BASIS] = "Grondslag",
			[CT_TH_ORIGIN] = "Herkomst",
			[CT_TH_RETENTION] = "Bewaartermijn",
			[CT_TH_RECIPIENTS] = "Ontvangers",
			[CT_TH_AUTOMATED] = "Geautomatiseerde besluiten",
			[CT_NOT_STATED] = "Niet vermeld",
			[CT_NONE] = "Geen",
			[CT_ORIGIN_PROVIDED] =
				"U hebt ze zelf aan ons verstrekt.",
			[CT_ORIGIN_OBSERVED] =
				"We hebben ze vastgelegd toen u onze "
				"diensten gebruikte.",
			[CT_ORIGIN_DERIVED] = "We hebben ze afgeleid uit "
					      "andere gegevens over u.",
			[CT_ORIGIN_THIRD_PARTY] =
				"We hebben ze ontvangen van: {1}.",
			[CT_ORIGIN_THIRD_PARTY_UNNAMED] =
				"We hebben ze van een andere partij ontvangen.",
			[CT_ORIGIN_ASSIGNED] = "We hebben ze u toegekend.",
			[CT_BASIS_CONSENT] = "uw toestemming",
			[CT_BASIS_CONTRACT] =
				"de uitvoering van een overeenkomst met u",
			[CT_BASIS_LEGAL_OBLIGATION] =
				"een wettelijke verplichting",
			[CT_BASIS_VITAL_INTERESTS] =
				"de bescherming van vitale belangen",
			[CT_BASIS_PUBLIC_TASK] = "een taak van algemeen belang",
			[CT_BASIS_LEGITIMATE_INTERESTS] =
				"ons gerechtvaardigd belang",
			[CT_ARTICLE] = "art.\u00a0{1} AVG",
			[CT_AUTOMATED_NONE] =
				"Met deze gegevens worden geen "
				"geautomatiseerde besluiten genomen.",
			[CT_AUTOMATED_LOGIC] = "Hoe het werkt: {1}",
			[CT_AUTOMATED_SIGNIFICANCE] =
				"Wat het voor u betekent: {1}",
			[CT_PROFILING] = "Dit is profilering.",
			[CT_ROWS_ONE] = "{1} record",
			[CT_ROWS_MANY] = "{1} records",
			[CT_SAFEGUARDS] = "waarborgen: {1}",
			[CT_H_TRANSFERS] = "Doorgifte buiten de Europese "
					   "Economische Ruimte",
			[CT_TRANSFERS_INTRO] = "Sommige ontvangers zitten "
					       "buiten de EER. Zo worden uw "
					       "gegevens daar beschermd "
					       "(artikel\u00a015, lid 2 AVG):",
			[CT_TH_RECIPIENT] = "Ontvanger",
			[CT_TH_COUNTRY] = "Land",
			[CT_TH_SAFEGUARDS] = "Waarborgen",
			[CT_H_EXCLUDED] = "Wat niet in dit archief staat",
			[CT_EXCLUDED_INTRO] = "Het recht op overdraagbaarheid "
					      "geldt alleen voor "
					      "gegevens die u zelf hebt "
					      "verstrekt of die zijn "
					      "vastgelegd, en die we verwerken "
					      "met uw toestemming of "
					      "voor een overeenkomst. Deze "
					      "tabellen zijn daarom "
					      "weggelaten; u kunt ze opvragen "
					      "met het recht op "
					      "inzage (artikel\u00a015 AVG):",
			[CT_TH_REASON] = "Reden",
			[CT_H_REDACTIONS] = "Gegevens over andere mensen",
			[CT_REDACTIONS_INTRO] =
				"Uw gegevens noemen soms andere mensen, zoals "
				"de "
				"medewerker die u heeft geholpen. Om hun "
				"rechten te "
				"beschermen (artikel\u00a015, lid 4 AVG) "
				"hebben we "
				"die "
				"details verwijderd of vervangen. Aantal "
				"aanpassingen "
				"per veld:",
			[CT_TH_FIELD] = "Veld",
			[CT_TH_REDACTED] = "Aanpassingen",
			[CT_H_RIGHTS] = "Uw rechten",
			[CT_RIGHTS_INTRO] =
				"Op grond van de AVG hebt u deze rechten:",
			[CT_RIGHT_ACCESS] = "Recht op inzage: zien welke "
					    "persoonsgegevens we over "
					    "u hebben en er een kopie van "
					    "krijgen (art.\u00a015 AVG).",
			[CT_RIGHT_RECTIFICATION] =
				"Recht op rectificatie: onjuiste of "
				"onvolledige "
				"gegevens laten verbeteren of aanvullen "
				"(art.\u00a0"
				"16 AVG).",
			[CT_RIGHT_ERASURE] =
				"Recht op gegevenswissing: uw gegevens laten "
				"verwijderen, bijvoorbeeld als we ze niet meer "
				"nodig "
				"hebben of als u uw toestemming intrekt "
				"(art.\u00a0"
				"17 AVG).",
			[CT_RIGHT_RESTRICTION] =
				"Recht op beperking van de verwerking: het "
				"gebruik van "
				"uw gegevens laten beperken, bijvoorbeeld "
				"zolang een "
				"correctie wordt onderzocht (art.\u00a018 "
				"AVG).",
			[CT_RIGHT_OBJECTION] =
				"Recht van bezwaar: tegen gebruik van uw "
				"gegevens op "
				"grond van ons gerechtvaardigd belang, en "
				"altijd tegen "
				"direct marketing (art.\u00a021 AVG).",
			[CT_RIGHT_PORTABILITY] =
				"Recht op overdraagbaarheid: "
				"de gegevens die u ons gaf "
				"in een machineleesbaar "
				"formaat krijgen, of laten "
				"doorsturen naar een andere "
				"organisatie (art.\u00a020 AVG).",
			[CT_RIGHT_WITHDRAW_CONSENT] =
				"Toestemming intrekken: als we uw gegevens "
				"gebruiken "
				"op basis van uw toestemming, kunt u die "
				"altijd "
				"intrekken; wat daarvóór gebeurde, blijft "
				"rechtmatig "
				"(art.\u00a07, lid 3 AVG).",
			[CT_RIGHT_AUTOMATED] =
				"Recht om niet te worden onderworpen aan een "
				"besluit "
				"dat alleen automatisch is genomen en dat u "
				"aanmerkelijk treft, en om een mens ernaar te "
				"laten "
				"kijken (art.\u00a022 AVG).",
			[CT_RIGHTS_HOW] = "Wilt u een van deze rechten "
					  "gebruiken, neem dan "
					  "contact op met {1}.",
			[CT_RIGHTS_HOW_PLAIN] = "Wilt u een van deze rechten "
						"gebruiken, neem dan "
						"contact op met de organisatie "
						"die u dit archief heeft "
						"gestuurd.",
			[CT_H_COMPLAINT] = "Een klacht indienen",
			[CT_COMPLAINT_AUTHORITY] =
				"Vindt u dat we niet goed met uw gegevens "
				"omgaan, dan "
				"kunt u een klacht indienen bij de "
				"toezichthoudende "
				"autoriteit: {1}.",
			[CT_COMPLAINT_GENERIC] =
				"Vindt u dat niet goed met uw gegevens wordt "
				"omgegaan, "
				"dan kunt u een klacht indienen bij een "
				"toezichthoudende autoriteit voor "
				"gegevensbescherming, met name in het EU-land "
				"waar u "
				"woont of werkt (artikel\u00a077 AVG).",
			[CT_H_CONTACT] = "Contact",
			[CT_TH_CONTROLLER] =
				"Verantwoordelijk voor uw gegevens "
				"(verwerkingsverantwoordelijke)",
			[CT_TH_CONTACT] = "Vragen over privacy",
			[CT_TH_DPO] = "Functionaris voor gegevensbescherming",
			[CT_TH_ADDRESS] = "Adres",
			[CT_FOOTER] = "Gemaakt met dpex {1}.",
			[CT_DATE] = "{1}\u00a0{2} {3} om {4} uur (UTC)",
		},
};

static const dpex_cover_lang sv = {
	.code = "sv",
	.months = {"januari", "februari", "mars", "april", "maj", "juni",
		   "juli", "augusti", "september", "oktober", "november",
		   "december"},
	/* Swedish groups digits with a (no-break) space. */
	.thousands = "\u00a0",
	.decimal = ",",
	.text =
		{
			[CT_TITLE] = "Dina personuppgifter",
			[CT_INTRO_ACCESS] = "{1} skickar dig denna kopia av de "
					    "personuppgifter som "
					    "behandlas om dig, som du har "
					    "begärt enligt rätten "
					    "till tillgång (artikel\u00a015 i "
					    "dataskyddsförordningen). "
					    "Kopian togs fram den {2}.",
			[CT_INTRO_PORTABILITY] =
				"{1} skickar dig de personuppgifter som du "
				"själv har "
				"lämnat eller som har registrerats när du "
				"använt "
				"tjänsterna, som du har begärt enligt rätten "
				"till "
				"dataportabilitet (artikel\u00a020 i "
				"dataskyddsförordningen). Filerna togs fram "
				"den {2}; "
				"du kan föra in dem i en annan tjänst.",
			[CT_INTRO_PLAIN] = "Detta arkiv innehåller en kopia av "
					   "de personuppgifter "
					   "som hittades om dig, framtagen den "
					   "{1} som svar på "
					   "din begäran.",
			[CT_REQUEST] = "Ärendenummer: {1}",
			[CT_README_SEE_HTML] =
				"Samma information, med länkar till filerna, "
				"finns i "
				"index.html: öppna den filen i en webbläsare.",
			[CT_H_SUBJECT] = "Vem det gäller",
			[CT_SUBJECT_INTRO] =
				"Vi har sökt efter uppgifter om dig i "
				"alla system med dessa identifierare:",
			[CT_TH_IDENTIFIER] = "Identifierare",
			[CT_TH_VALUE] = "Värde",
			[CT_H_GLANCE] = "Dina uppgifter i korthet",
			[CT_GLANCE_INTRO] = "Så många poster hittade vi om dig "
					    "i varje tabell:",
			[CT_TH_TABLE] = "Tabell",
			[CT_TH_SYSTEM] = "System",
			[CT_TH_ROWS] = "Poster",
			[CT_TOTAL] = "Totalt",
			[CT_H_FILES] = "Filerna i detta arkiv",
			[CT_FILES_INTRO] = "Samma uppgifter finns i flera "
					   "format, så att du kan "
					   "välja det som passar dig. Vill du "
					   "läsa dem själv "
					   "öppnar du kalkylbladet (data.xlsx) "
					   "eller CSV-filerna. "
					   "Vill du flytta dem till en annan "
					   "tjänst använder du "
					   "data.json eller CSV-filerna: det "
					   "är öppna, vanliga "
					   "format som andra program kan läsa.",
			[CT_TH_FILE] = "Fil",
			[CT_TH_FILE_USE] = "Vad den är till för",
			[CT_TH_SIZE] = "Storlek",
			[CT_FILE_INDEX_HTML] = "Denna sida.",
			[CT_FILE_INDEX_TEXT] =
				"Denna information som webbsida, med länkar "
				"till "
				"filerna: öppna den i en webbläsare.",
			[CT_FILE_README_HTML] = "Samma information som denna "
						"sida, som ren text.",
			[CT_FILE_README_TEXT] = "Denna fil.",
			[CT_FILE_DATA_JSON] = "Alla dina uppgifter i en "
					      "JSON-fil: för datorprogram "
					      "och för att flytta dina "
					      "uppgifter till en annan "
					      "tjänst.",
			[CT_FILE_CSV] =
				"Tabellen ”{1}” som CSV (kommaseparerade "
				"värden, UTF\u20118): kan öppnas i alla "
				"kalkylprogram.",
			[CT_FILE_CSV_SAFE] =
				"Tabellen ”{1}” som CSV, säker att öppna i ett "
				"kalkylprogram: text som annars skulle köras "
				"som formel "
				"börjar med en apostrof.",
			[CT_FILE_XLSX] =
				"Alla tabeller i ett kalkylark (Excel, "
				"LibreOffice, Numbers), ett blad per tabell.",
			[CT_FILE_MANIFEST] = "En förteckning över alla filer "
					     "med storlek och "
					     "SHA-256-kontrollsumma, så att du "
					     "kan kontrollera att "
					     "inget har ändrats eller saknas.",
			[CT_FILE_ABOUT] =
				"Informationen på denna sida som JSON, för "
				"datorprogram.",
			[CT_FILE_OTHER] = "En del av svaret på din begäran.",
			[CT_H_CATEGORIES] = "Vilka uppgifter vi har och varför",
			[CT_CATEGORIES_INTRO] = "För varje slags uppgifter i "
						"detta arkiv: varför vi "
						"använder dem, med vilken "
						"rättslig grund, var de "
						"kommer ifrån, hur länge vi "
						"sparar dem och vem som får "
						"dem.",
			[CT_NO_CATEGORIES] =
				"Information om vilka slags uppgifter det är "
				"(ändamål, rättslig grund, ursprung, "
				"lagringstid och "
				"mottagare) finns inte i detta arkiv. Fråga "
				"den "
				"organisation som skickade det till dig: den "
				"är "
				"skyldig att berätta det (artikel\u00a015 i "
				"dataskyddsförordningen).",
			[CT_TH_CAT_DATA] = "Uppgifter",
			[CT_TH_PURPOSES] = "Ändamål",
			[CT_TH_LEGAL_BASIS] = "Rättslig grund",
			[CT_TH_ORIGIN] = "Var de kommer ifrån",
			[CT_TH_RETENTION] = "Hur länge vi sparar dem",
			[CT_TH_RECIPIENTS] = "Vem som får dem",
			[CT_TH_AUTOMATED] = "Automatiserade beslut",
			[CT_NOT_STATED] = "Inte angivet",
			[CT_NONE] = "Inga",
			[CT_ORIGIN_PROVIDED] = "Du har lämnat dem till oss.",
			[CT_ORIGIN_OBSERVED] = "Vi har registrerat dem när du "
					       "använt våra tjänster.",
			[CT_ORIGIN_DERIVED] = "Vi har härlett dem från andra "
					      "uppgifter om dig.",
			[CT_ORIGIN_THIRD_PARTY] = "Vi har fått dem från: {1}.",
			[CT_ORIGIN_THIRD_PARTY_UNNAMED] =
				"Vi har fått dem från någon annan.",
			[CT_ORIGIN_ASSIGNED] = "Vi har tilldelat dig dem.",
			[CT_BASIS_CONSENT] = "ditt samtycke",
			[CT_BASIS_CONTRACT] =
				"fullgörande av ett avtal med dig",
			[CT_BASIS_LEGAL_OBLIGATION] =
				"en rättslig förpliktelse",
			[CT_BASIS_VITAL_INTERESTS] =
				"skydd av grundläggande intressen",
			[CT_BASIS_PUBLIC_TASK] =
				"en uppgift av allmänt intresse",
			[CT_BASIS_LEGITIMATE_INTERESTS] =
				"vårt berättigade intresse",
			[CT_ARTICLE] =
				"artikel\u00a0{1} i dataskyddsförordningen",
			[CT_AUTOMATED_NONE] =
				"Inga automatiserade beslut fattas med dessa "
				"uppgifter.",
			[CT_AUTOMATED_LOGIC] = "Så fungerar det: {1}",
			[CT_AUTOMATED_SIGNIFICANCE] =
				"Vad det innebär för dig: {1}",
			[CT_PROFILING] = "Detta är profilering.",
			[CT_ROWS_ONE] = "{1} post",
			[CT_ROWS_MANY] = "{1} poster",
			[CT_SAFEGUARDS] = "skyddsåtgärder: {1}",
			[CT_H_TRANSFERS] =
				"Överföring utanför Europeiska ekonomiska "
				"samarbetsområdet",
			[CT_TRANSFERS_INTRO] =
				"Vissa mottagare finns utanför "
				"EES. Så skyddas dina "
				"uppgifter där (artikel\u00a015.2 i "
				"dataskyddsförordningen):",
			[CT_TH_RECIPIENT] = "Mottagare",
			[CT_TH_COUNTRY] = "Land",
			[CT_TH_SAFEGUARDS] = "Skyddsåtgärder",
			[CT_H_EXCLUDED] = "Vad som inte finns i detta arkiv",
			[CT_EXCLUDED_INTRO] =
				"Rätten till dataportabilitet gäller bara "
				"uppgifter "
				"som du själv har lämnat eller som har "
				"registrerats, "
				"och som vi behandlar med ditt samtycke eller "
				"för att "
				"fullgöra ett avtal. Därför har dessa tabeller "
				"utelämnats; du kan begära dem enligt rätten "
				"till "
				"tillgång (artikel\u00a015 i "
				"dataskyddsförordningen):",
			[CT_TH_REASON] = "Skäl",
			[CT_H_REDACTIONS] = "Uppgifter om andra personer",
			[CT_REDACTIONS_INTRO] =
				"Dina uppgifter nämner ibland andra personer, "
				"till "
				"exempel den medarbetare som hjälpte dig. För "
				"att "
				"skydda deras rättigheter (artikel\u00a015.4 i "
				"dataskyddsförordningen) har vi tagit bort "
				"eller "
				"ersatt de uppgifterna. Antal ändringar per "
				"fält:",
			[CT_TH_FIELD] = "Fält",
			[CT_TH_REDACTED] = "Ändringar",
			[CT_H_RIGHTS] = "Dina rättigheter",
			[CT_RIGHTS_INTRO] =
				"Enligt dataskyddsförordningen har du dessa "
				"rättigheter:",
			[CT_RIGHT_ACCESS] = "Rätt till tillgång: att få veta "
					    "vilka personuppgifter "
					    "vi har om dig och få en kopia av "
					    "dem (artikel\u00a015).",
			[CT_RIGHT_RECTIFICATION] =
				"Rätt till rättelse: att få felaktiga eller "
				"ofullständiga uppgifter rättade eller "
				"kompletterade "
				"(artikel\u00a016).",
			[CT_RIGHT_ERASURE] =
				"Rätt till radering: att få dina uppgifter "
				"raderade, "
				"till exempel när vi inte längre behöver dem "
				"eller när "
				"du återkallar ditt samtycke "
				"(artikel\u00a017).",
			[CT_RIGHT_RESTRICTION] =
				"Rätt till begränsning av behandling: att få "
				"användningen av dina uppgifter begränsad, "
				"till "
				"exempel medan en rättelse utreds "
				"(artikel\u00a0"
				"18).",
			[CT_RIGHT_OBJECTION] =
				"Rätt att göra invändningar: mot behandling "
				"som "
				"grundar sig på vårt berättigade intresse, och "
				"alltid "
				"mot direktmarknadsföring (artikel\u00a021).",
			[CT_RIGHT_PORTABILITY] =
				"Rätt till dataportabilitet: att få de "
				"uppgifter du "
				"har lämnat till oss i ett maskinläsbart "
				"format, eller "
				"få dem överförda till en annan organisation "
				"(artikel\u00a020).",
			[CT_RIGHT_WITHDRAW_CONSENT] =
				"Återkalla samtycke: när vi behandlar "
				"uppgifter med "
				"stöd av ditt samtycke kan du när som helst "
				"återkalla "
				"det; det påverkar inte behandlingen "
				"dessförinnan "
				"(artikel\u00a07.3).",
			[CT_RIGHT_AUTOMATED] = "Rätt att inte bli föremål för "
					       "ett beslut som enbart "
					       "grundas på automatiserad "
					       "behandling och som påverkar "
					       "dig i betydande grad, och att "
					       "få beslutet granskat av "
					       "en människa (artikel\u00a022).",
			[CT_RIGHTS_HOW] = "Kontakta {1} om du vill använda "
					  "någon av dessa "
					  "rättigheter.",
			[CT_RIGHTS_HOW_PLAIN] =
				"Kontakta den organisation som skickade detta "
				"arkiv om "
				"du vill använda någon av dessa rättigheter.",
			[CT_H_COMPLAINT] = "Klagomål",
			[CT_COMPLAINT_AUTHORITY] =
				"Om du anser att vi behandlar dina uppgifter "
				"felaktigt "
				"kan du klaga hos tillsynsmyndigheten: {1}.",
			[CT_COMPLAINT_GENERIC] =
				"Om du anser att dina uppgifter behandlas "
				"felaktigt "
				"kan du klaga hos en tillsynsmyndighet för "
				"dataskydd, "
				"särskilt i det EU-land där du bor eller "
				"arbetar "
				"(artikel\u00a077 i dataskyddsförordningen).",
			[CT_H_CONTACT] = "Kontakt",
			[CT_TH_CONTROLLER] = "Ansvarig för dina uppgifter "
					     "(personuppgiftsansvarig)",
			[CT_TH_CONTACT] = "Frågor om integritet",
			[CT_TH_DPO] = "Dataskyddsombud",
			[CT_TH_ADDRESS] = "Adress",
			[CT_FOOTER] = "Framtaget med dpex {1}.",
			[CT_DATE] = "{1}\u00a0{2} {3} kl. {4} (UTC)",
		},
};

const dpex_cover_lang *const dpex_cover_langs[] = {&en, &nl, &sv};
const size_t dpex_cover_nlangs =
	sizeof(dpex_cover_langs) / sizeof(dpex_cover_langs[0]);

const dpex_cover_lang *dpex_cover_lang_find(const char *code)
{
	for (size_t i = 0; code && i < dpex_cover_nlangs; i++)
		if (strcmp(dpex_cover_langs[i]->code, code) == 0)
			return dpex_cover_langs[i];
	return NULL;
}
