"""Small fake corpora for the `llmzero data` tests: a Wikipedia dump, a parquet file, a step folder.

Everything planted is listed in ``PLANTED`` so tests can assert it went (or stayed). The builders:

- ``write_fake_dump(path)``: a MediaWiki ``pages-articles.xml.bz2`` with ~30 pages;
- ``write_fake_parquet(path, text_key="text")``: the same planted content as a parquet table;
- ``write_step_folder(folder, texts)``: a folder in the `llmzero data` format (JSONL.gz, step.json).
"""

from __future__ import annotations

import bz2
import gzip
import json
from pathlib import Path
from xml.sax.saxutils import escape

# Hand-written Portuguese articles, each on its own subject (none a near-duplicate of another).
PT_ARTICLES = {
    "Rio Amazonas": (
        "O rio Amazonas nasce nos Andes peruanos e atravessa o norte do Brasil até desaguar no "
        "oceano Atlântico. É o rio com o maior volume de água do mundo, e sua bacia cobre uma área "
        "enorme de floresta tropical. Ao longo do caminho, recebe centenas de afluentes, como o "
        "rio Negro e o rio Madeira. Na época das cheias, a água invade a mata e forma os igapós, "
        "onde peixes se alimentam de frutos que caem das árvores. Muitas comunidades ribeirinhas "
        "vivem da pesca e do transporte de barco, porque quase não há estradas na região."
    ),
    "Pão de queijo": (
        "O pão de queijo é um quitute típico de Minas Gerais feito com polvilho, ovos, leite, "
        "óleo e queijo curado. A massa não leva farinha de trigo, e por isso a casca fica "
        "crocante enquanto o miolo continua macio e elástico. A receita surgiu nas fazendas, "
        "quando as cozinheiras aproveitavam o polvilho que sobrava da produção de farinha de "
        "mandioca. Hoje ele é vendido congelado em todo o país e aparece no café da manhã de "
        "muita gente. Cada família defende a sua versão, com mais ou menos queijo na massa."
    ),
    "Fotossíntese": (
        "A fotossíntese é o processo pelo qual as plantas usam a luz do sol para transformar gás "
        "carbônico e água em açúcar e oxigênio. Ela acontece principalmente nas folhas, dentro de "
        "estruturas chamadas cloroplastos, que contêm a clorofila, o pigmento verde que absorve a "
        "luz. O açúcar produzido serve de alimento para a própria planta e, indiretamente, para "
        "quase todos os seres vivos da Terra. O oxigênio liberado no processo é o mesmo que nós "
        "respiramos, e sua presença na atmosfera se deve a bilhões de anos de fotossíntese."
    ),
    "Capoeira": (
        "A capoeira é uma expressão cultural brasileira que mistura luta, dança, música e jogo. "
        "Foi desenvolvida por africanos escravizados e seus descendentes, que disfarçavam os "
        "golpes em movimentos ritmados ao som do berimbau. Numa roda de capoeira, os jogadores "
        "se enfrentam no centro enquanto os outros cantam, batem palmas e tocam pandeiro e "
        "atabaque. Durante muito tempo a prática foi proibida por lei e perseguida pela polícia. "
        "Hoje é reconhecida como patrimônio cultural e ensinada em academias de vários países."
    ),
    "Sistema Solar": (
        "O Sistema Solar é formado pelo Sol e por tudo o que gira em torno dele: oito planetas, "
        "seus satélites, planetas anões, asteroides e cometas. Os quatro planetas mais próximos "
        "do Sol, Mercúrio, Vênus, Terra e Marte, são rochosos e pequenos. Depois do cinturão de "
        "asteroides vêm os gigantes gasosos Júpiter e Saturno e os gigantes gelados Urano e "
        "Netuno. A luz do Sol leva cerca de oito minutos para chegar até nós. Sondas enviadas "
        "há décadas ainda viajam para além da órbita de Netuno e mandam dados para a Terra."
    ),
    "Frevo": (
        "O frevo é um ritmo musical e uma dança que nasceram no Recife no fim do século XIX. A "
        "música é rápida e tocada por bandas de metais, com trompetes, trombones e saxofones. Os "
        "passistas dançam com pequenos guarda-chuvas coloridos, fazendo acrobacias, agachamentos "
        "e saltos que exigem muito fôlego. No carnaval de Pernambuco, multidões seguem as "
        "orquestras pelas ruas estreitas de Olinda e do Recife. O frevo é considerado "
        "patrimônio imaterial da humanidade e inspira compositores até os dias de hoje."
    ),
    "Abelhas": (
        "As abelhas são insetos que vivem, em muitas espécies, em colônias organizadas com uma "
        "rainha, operárias e zangões. Elas visitam flores para coletar néctar e pólen e, ao "
        "fazer isso, transportam o pólen de uma flor para outra, o que permite a formação de "
        "frutos e sementes. Boa parte dos alimentos que comemos depende dessa polinização. No "
        "Brasil existem centenas de espécies de abelhas nativas sem ferrão, como a jataí e a "
        "uruçu, criadas há séculos por povos indígenas para a produção de um mel delicado."
    ),
    "Bicicleta": (
        "A bicicleta é um veículo de duas rodas movido pela força das pernas de quem pedala. Os "
        "primeiros modelos, do começo do século XIX, nem tinham pedais: a pessoa empurrava o "
        "chão com os pés. Com a invenção da corrente e dos pneus com ar, ela ficou confortável e "
        "se espalhou pelo mundo. Em muitas cidades, ciclovias e sistemas de aluguel incentivam o "
        "uso da bicicleta no trânsito diário. Ela não polui, ocupa pouco espaço e ainda faz bem "
        "para a saúde de quem a usa com frequência e cuidado."
    ),
    "Vulcão": (
        "Um vulcão é uma abertura na crosta da Terra por onde saem magma, gases e cinzas vindos "
        "do interior do planeta. Quando o magma chega à superfície, passa a se chamar lava e "
        "escorre pelas encostas até esfriar e endurecer. Alguns vulcões explodem com violência, "
        "lançando nuvens de cinza a quilômetros de altura, enquanto outros derramam lava de "
        "forma lenta e contínua. O Brasil não tem vulcões ativos, mas ilhas como Fernando de "
        "Noronha são restos de antigas erupções que aconteceram há milhões de anos no oceano."
    ),
    "Xadrez": (
        "O xadrez é um jogo de tabuleiro para duas pessoas, cada uma com dezesseis peças: rei, "
        "dama, torres, bispos, cavalos e peões. O objetivo é dar xeque-mate, ou seja, atacar o "
        "rei adversário de modo que ele não tenha como escapar. Cada peça se move de um jeito: o "
        "cavalo salta em forma de L, o bispo anda na diagonal e a torre nas linhas e colunas. "
        "Campeonatos reúnem jogadores de todas as idades, e programas de computador hoje jogam "
        "melhor do que qualquer pessoa, servindo também para treinar."
    ),
    "Cerrado": (
        "O cerrado é uma savana que ocupa grande parte do centro do Brasil, com árvores baixas de "
        "troncos retorcidos e casca grossa. Essas características ajudam as plantas a resistir "
        "ao fogo e à longa estação seca. Debaixo da terra, as raízes são profundas e alcançam a "
        "água que fica longe da superfície. Muitas nascentes de rios importantes estão no "
        "cerrado, que por isso é chamado de berço das águas. Nas últimas décadas, boa parte da "
        "vegetação nativa deu lugar a plantações e pastagens."
    ),
    "Tipografia": (
        "A tipografia é a arte de escolher e arranjar letras para que um texto seja legível e "
        "agradável de ler. Antes da imprensa, os livros eram copiados à mão, um por um. Com os "
        "tipos móveis de metal, no século XV, ficou possível imprimir muitas cópias iguais em "
        "pouco tempo. Cada família de letras tem um desenho próprio: algumas têm serifas, os "
        "pequenos traços nas pontas, e outras não. O espaçamento entre letras e linhas muda "
        "muito a sensação de quem lê uma página."
    ),
    "Mangue": (
        "O manguezal é um ecossistema que se forma onde o rio encontra o mar, em áreas de água "
        "salobra sujeitas às marés. As árvores do mangue têm raízes aéreas que saem da lama e "
        "ajudam a respirar num solo pobre em oxigênio. Caranguejos, ostras, peixes e aves "
        "encontram ali abrigo e comida, e muitas espécies marinhas passam a infância nesse "
        "ambiente protegido. Pescadores e catadores de caranguejo dependem do mangue para viver, "
        "e a sua destruição afeta toda a pesca da costa."
    ),
}

# planted personal data (valid CPF check digits; fictitious phones and addresses)
PII = {
    "email": "maria.souza@exemplo.com.br",
    "phone": "(11) 98765-4321",
    "cpf_formatted": "529.982.247-25",
    "cpf_bare": "11144477735",
}
PT_PII_ARTICLES = {
    "Associação de moradores": (
        "A associação de moradores do bairro se reúne toda primeira segunda-feira do mês no salão "
        "da igreja para discutir os problemas da rua, como buracos, iluminação e coleta de lixo. "
        f"Quem quiser participar pode escrever para {PII['email']} ou ligar para "
        f"{PII['phone']} durante a semana. A tesoureira, cujo CPF é {PII['cpf_formatted']}, "
        "presta contas das despesas em cada reunião, e as atas ficam disponíveis para consulta "
        "de todos os associados que pagam a mensalidade em dia."
    ),
    "Cadastro da biblioteca": (
        "Para fazer o cadastro na biblioteca municipal, o leitor precisa levar um documento com "
        "foto e um comprovante de residência. No formulário, a funcionária anota o nome completo, "
        f"o endereço e o número do CPF, por exemplo {PII['cpf_bare']}, sem pontos nem traço. "
        "Depois disso, o leitor recebe uma carteirinha e pode levar até três livros para casa "
        "por quinze dias, renovando o empréstimo pela internet se ninguém tiver reservado a "
        "mesma obra antes dele."
    ),
}
EN_ARTICLES = {
    "Lighthouse": (
        "A lighthouse is a tower built near the coast with a bright lamp at the top that guides "
        "ships at night. Before satellite navigation, sailors relied on these lights to know "
        "where dangerous rocks and harbour entrances were. Each lighthouse flashes with its own "
        "pattern so that it can be told apart from the others along the same shore. Many old "
        "lighthouses are now automated, and some have become museums that visitors can climb."
    ),
    "Sourdough": (
        "Sourdough bread is leavened by a culture of wild yeast and bacteria instead of "
        "commercial yeast. The baker keeps a starter of flour and water, feeding it every day so "
        "that the microbes stay active. The long fermentation gives the bread its tangy flavour, "
        "an open crumb and a thick crust. Making it takes patience, because a single loaf may "
        "need a whole day between mixing the dough and taking it out of the oven."
    ),
    "Glacier": (
        "A glacier is a large mass of ice that forms where more snow falls each winter than "
        "melts each summer. Over centuries the snow is compressed into dense ice that slowly "
        "flows downhill under its own weight. Glaciers carve deep valleys, carry huge boulders "
        "and leave behind lakes when they retreat. Most of the fresh water on the planet is "
        "stored in glaciers and ice sheets, which are shrinking as the climate warms."
    ),
}
ES_ARTICLES = {
    "Tango": (
        "El tango es un género musical y una danza que nacieron en los barrios del Río de la "
        "Plata a finales del siglo diecinueve. Se baila en pareja, con un abrazo cerrado y pasos "
        "improvisados que siguen la música del bandoneón. Las letras de los tangos hablan a "
        "menudo de amores perdidos, de la ciudad y de la nostalgia por los tiempos pasados. Hoy "
        "se enseña en academias de todo el mundo y tiene festivales muy concurridos."
    ),
    "Volcán de Fuego": (
        "El volcán de Fuego es uno de los más activos de América Central y se encuentra en "
        "Guatemala, cerca de la ciudad de Antigua. Sus erupciones lanzan columnas de ceniza y "
        "flujos de lava que se ven desde muy lejos durante la noche. Los científicos lo vigilan "
        "de forma constante porque muchas comunidades viven en sus laderas y dependen de las "
        "tierras fértiles que dejan las cenizas para sus cultivos de café."
    ),
}
BOILERPLATE = "\n".join(
    ["Clique aqui para assinar a nossa newsletter e receber as novidades.", "Menu | Início"] * 20
)
# a near-duplicate: two words of "Capoeira" changed
NEAR_DUPLICATE_OF = "Capoeira"
NEAR_DUPLICATE = (
    PT_ARTICLES["Capoeira"]
    .replace("luta, dança, música e jogo", "luta, dança, canto e jogo")
    .replace("vários países", "muitos países")
)
EXACT_DUPLICATE_OF = "Pão de queijo"

PLANTED = {
    "portuguese": sorted(PT_ARTICLES) + sorted(PT_PII_ARTICLES),
    "english": sorted(EN_ARTICLES),
    "spanish": sorted(ES_ARTICLES),
    "exact_duplicate_of": EXACT_DUPLICATE_OF,
    "near_duplicate_of": NEAR_DUPLICATE_OF,
    "boilerplate_title": "Portal de notícias",
    "pii": PII,
}


def _wikify(text: str, title: str) -> str:
    """Wrap prose in the wikitext a dump carries: an infobox, a reference, a file, a category."""
    first, _, rest = text.partition(". ")
    return (
        f"{{{{Info/Artigo|nome={title}|imagem=Foto.jpg}}}}\n"
        f"'''{first}'''.<ref>{{{{citar web|url=http://example.org|título=Fonte}}}}</ref> {rest}\n"
        f"[[Arquivo:Foto.jpg|thumb|Uma foto de {title}]]\n"
        "== Ver também ==\n"
        '{| class="wikitable"\n|-\n| célula um || célula dois\n|}\n'
        f"[[Categoria:{title}]]\n"
    )


def fake_pages() -> list[dict]:
    """The pages of the fake dump: title, namespace, redirect target (or None) and wikitext."""
    pages = []

    def add(title, text, ns=0, redirect=None):
        pages.append({"title": title, "ns": ns, "redirect": redirect, "text": text})

    for title, text in {**PT_ARTICLES, **PT_PII_ARTICLES, **EN_ARTICLES, **ES_ARTICLES}.items():
        add(title, _wikify(text, title))
    add(f"{EXACT_DUPLICATE_OF} (cópia)", _wikify(PT_ARTICLES[EXACT_DUPLICATE_OF], "Cópia"))
    add(f"{NEAR_DUPLICATE_OF} (versão)", _wikify(NEAR_DUPLICATE, "Versão"))
    add(PLANTED["boilerplate_title"], BOILERPLATE)
    for source, target in (("Amazonas", "Rio Amazonas"), ("Queijo", "Pão de queijo")):
        add(source, f"#REDIRECIONAMENTO [[{target}]]", redirect=target)
    add("Usuário:Alguém", "Página de usuário com texto que não é artigo.", ns=2)
    add("Predefinição:Info", "{{{nome}}}", ns=10)
    return pages


def dump_xml(pages: list[dict]) -> str:
    out = [
        '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" xml:lang="pt">',
        "  <siteinfo><sitename>Wikipédia</sitename><dbname>ptwiki</dbname></siteinfo>",
    ]
    for i, page in enumerate(pages, start=1):
        redirect = f'<redirect title="{escape(page["redirect"])}" />' if page["redirect"] else ""
        out.append(
            f"  <page><title>{escape(page['title'])}</title><ns>{page['ns']}</ns><id>{i}</id>"
            f"{redirect}<revision><id>{1000 + i}</id>"
            f'<text bytes="{len(page["text"])}" xml:space="preserve">{escape(page["text"])}'
            "</text></revision></page>"
        )
    out.append("</mediawiki>\n")
    return "\n".join(out)


def write_fake_dump(path: str | Path) -> Path:
    """Write the fake dump as ``.xml.bz2`` and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bz2.compress(dump_xml(fake_pages()).encode("utf-8")))
    return path


def plain_documents() -> list[tuple[str, str]]:
    """(title, text) of the same planted content, already plain text (for parquet/JSONL)."""
    docs = list({**PT_ARTICLES, **PT_PII_ARTICLES, **EN_ARTICLES, **ES_ARTICLES}.items())
    docs.append((f"{EXACT_DUPLICATE_OF} (cópia)", PT_ARTICLES[EXACT_DUPLICATE_OF]))
    docs.append((f"{NEAR_DUPLICATE_OF} (versão)", NEAR_DUPLICATE))
    docs.append((PLANTED["boilerplate_title"], BOILERPLATE))
    return docs


def write_fake_parquet(path: str | Path, text_key: str = "text") -> Path:
    """The planted content as a parquet table with columns ``text_key``, ``title`` and ``id``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    docs = plain_documents()
    table = pa.table(
        {
            "id": [f"pq/{i}" for i in range(len(docs))],
            "title": [title for title, _ in docs],
            text_key: [text for _, text in docs],
        }
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def write_step_folder(folder: str | Path, texts: list[str], files: int = 2) -> Path:
    """A folder in the `llmzero data` format holding ``texts``, spread over ``files`` files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    n_bytes = sum(len(x.encode("utf-8")) for x in texts)
    for f in range(files):
        with gzip.open(folder / f"{f:05d}.jsonl.gz", "wt", encoding="utf-8") as out:
            for i in range(f, len(texts), files):
                row = {"text": texts[i], "id": f"doc/{i}", "metadata": {"language": "pt"}}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    step = {
        "format": 1,
        "step": "fixture",
        "inputs": [],
        "documents_in": len(texts),
        "bytes_in": n_bytes,
        "documents_out": len(texts),
        "bytes_out": n_bytes,
        "blocks": [],
        "files": [f"{f:05d}.jsonl.gz" for f in range(files)],
    }
    (folder / "step.json").write_text(json.dumps(step, indent=2), encoding="utf-8")
    return folder
