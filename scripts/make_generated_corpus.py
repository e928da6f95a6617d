#!/usr/bin/env python3
"""Write the template-generated part of llmzero's original pt-BR corpus.

Every fact below was typed for this project; templates turn each fact into several differently
phrased paragraphs, and arithmetic is computed, never typed. A fixed seed makes the output
byte-identical on every run:

    python scripts/make_generated_corpus.py  # writes src/llmzero/datasets/corpus/gerado.txt
    python scripts/make_generated_corpus.py --out x.txt

Paragraphs are separated by one blank line. Question/answer pairs use the format the chat
fine-tuning expects:

    ### comando:
    <pergunta>

    ### resposta:
    <resposta>
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
from pathlib import Path

from llmzero.fileio import write_text_atomic

SEED = 20240917
DEFAULT_OUT = (
    Path(__file__).resolve().parents[1] / "src" / "llmzero" / "datasets" / "corpus" / "gerado.txt"
)


# ----------------------------------------------------------------------------- small language
# helpers


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def join_pt(items: list[str]) -> str:
    """'a', 'a e b', 'a, b e c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " e " + items[-1]


def with_art(art: str, name: str) -> str:
    return f"{art} {name}" if art else name


def prep(p: str, art: str, name: str) -> str:
    """Contract 'de'/'em' with the article: do Acre, na Bahia, em Goiás."""
    table = {("de", "o"): "do", ("de", "a"): "da", ("em", "o"): "no", ("em", "a"): "na"}
    return f"{table[(p, art)]} {name}" if art else f"{p} {name}"


def qa(question: str, answer: str) -> str:
    return f"### comando:\n{question}\n\n### resposta:\n{answer}"


UNITS = [
    "zero",
    "um",
    "dois",
    "três",
    "quatro",
    "cinco",
    "seis",
    "sete",
    "oito",
    "nove",
    "dez",
    "onze",
    "doze",
    "treze",
    "quatorze",
    "quinze",
    "dezesseis",
    "dezessete",
    "dezoito",
    "dezenove",
]
TENS = [
    "",
    "",
    "vinte",
    "trinta",
    "quarenta",
    "cinquenta",
    "sessenta",
    "setenta",
    "oitenta",
    "noventa",
]
HUNDREDS = [
    "",
    "cento",
    "duzentos",
    "trezentos",
    "quatrocentos",
    "quinhentos",
    "seiscentos",
    "setecentos",
    "oitocentos",
    "novecentos",
]


def extenso(n: int) -> str:
    """Write 0 <= n < 1,000,000 in Portuguese words (masculine)."""
    if n < 20:
        return UNITS[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else " e " + UNITS[n % 10])
    if n == 100:
        return "cem"
    if n < 1000:
        return HUNDREDS[n // 100] + ("" if n % 100 == 0 else " e " + extenso(n % 100))
    thousands, rest = divmod(n, 1000)
    head = "mil" if thousands == 1 else extenso(thousands) + " mil"
    if rest == 0:
        return head
    # "mil e cinco", "mil e duzentos", but "mil duzentos e cinco"
    joiner = " e " if rest < 100 or rest % 100 == 0 else " "
    return head + joiner + extenso(rest)


ORDINALS = [
    "primeiro",
    "segundo",
    "terceiro",
    "quarto",
    "quinto",
    "sexto",
    "sétimo",
    "oitavo",
    "nono",
    "décimo",
]


def money(cents: int) -> str:
    return f"R$ {cents // 100},{cents % 100:02d}"


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# ----------------------------------------------------------------------------- facts: federative
# units

BIOME_ART = {
    "Amazônia": "a",
    "Cerrado": "o",
    "Caatinga": "a",
    "Mata Atlântica": "a",
    "Pantanal": "o",
    "Pampa": "o",
}


def biomes_em(biomes: list[str]) -> str:
    return join_pt([prep("em", BIOME_ART[b], b) for b in biomes])


def biomes_art(biomes: list[str]) -> str:
    return join_pt([with_art(BIOME_ART[b], b) for b in biomes])


# (name, article, abbreviation, capital, region, main biomes, demonym, traits written as predicates)
UFS = [
    (
        "Acre",
        "o",
        "AC",
        "Rio Branco",
        "Norte",
        ["Amazônia"],
        "acriano",
        [
            "faz fronteira com o Peru e com a Bolívia",
            "é coberto em grande parte pela floresta amazônica",
        ],
    ),
    (
        "Alagoas",
        "",
        "AL",
        "Maceió",
        "Nordeste",
        ["Mata Atlântica", "Caatinga"],
        "alagoano",
        [
            "tem um nome que vem das muitas lagoas do seu território",
            "tem praias com piscinas naturais formadas por recifes",
        ],
    ),
    (
        "Amapá",
        "o",
        "AP",
        "Macapá",
        "Norte",
        ["Amazônia"],
        "amapaense",
        [
            "é cortado pela linha do Equador, que passa pela capital, Macapá",
            "faz fronteira com a Guiana Francesa",
        ],
    ),
    (
        "Amazonas",
        "o",
        "AM",
        "Manaus",
        "Norte",
        ["Amazônia"],
        "amazonense",
        [
            "tem a maior área entre os estados brasileiros",
            "tem na capital o encontro das águas dos rios Negro e Solimões",
        ],
    ),
    (
        "Bahia",
        "a",
        "BA",
        "Salvador",
        "Nordeste",
        ["Caatinga", "Cerrado", "Mata Atlântica"],
        "baiano",
        [
            "tem o litoral mais extenso entre os estados brasileiros",
            "teve em Salvador a primeira capital do Brasil, de 1549 a 1763",
        ],
    ),
    (
        "Ceará",
        "o",
        "CE",
        "Fortaleza",
        "Nordeste",
        ["Caatinga"],
        "cearense",
        [
            "tem praias com dunas e falésias, como Jericoacoara e Canoa Quebrada",
            "tem boa parte do território no sertão semiárido",
        ],
    ),
    (
        "Distrito Federal",
        "o",
        "DF",
        "Brasília",
        "Centro-Oeste",
        ["Cerrado"],
        "brasiliense",
        [
            "abriga Brasília, inaugurada em 1960 como capital do Brasil",
            "é a sede dos três Poderes da República: Executivo, Legislativo e Judiciário",
        ],
    ),
    (
        "Espírito Santo",
        "o",
        "ES",
        "Vitória",
        "Sudeste",
        ["Mata Atlântica"],
        "capixaba",
        [
            "tem a capital, Vitória, construída em grande parte sobre uma ilha",
            "é um grande produtor de café e de rochas ornamentais, como o granito",
        ],
    ),
    (
        "Goiás",
        "",
        "GO",
        "Goiânia",
        "Centro-Oeste",
        ["Cerrado"],
        "goiano",
        [
            "abriga a Chapada dos Veadeiros, com cachoeiras e rochas muito antigas",
            "tem uma capital planejada, Goiânia, fundada na década de 1930",
        ],
    ),
    (
        "Maranhão",
        "o",
        "MA",
        "São Luís",
        "Nordeste",
        ["Cerrado", "Amazônia"],
        "maranhense",
        [
            "abriga os Lençóis Maranhenses, com dunas brancas e lagoas de água da chuva",
            "tem a capital, São Luís, em uma ilha",
        ],
    ),
    (
        "Mato Grosso",
        "",
        "MT",
        "Cuiabá",
        "Centro-Oeste",
        ["Amazônia", "Cerrado", "Pantanal"],
        "mato-grossense",
        [
            "reúne três biomas: a Amazônia, o Cerrado e o Pantanal",
            "é um dos maiores produtores de soja do Brasil",
        ],
    ),
    (
        "Mato Grosso do Sul",
        "",
        "MS",
        "Campo Grande",
        "Centro-Oeste",
        ["Cerrado", "Pantanal", "Mata Atlântica"],
        "sul-mato-grossense",
        [
            "abriga grande parte do Pantanal",
            "tem a cidade de Bonito, conhecida por rios de água muito transparente",
        ],
    ),
    (
        "Minas Gerais",
        "",
        "MG",
        "Belo Horizonte",
        "Sudeste",
        ["Cerrado", "Mata Atlântica", "Caatinga"],
        "mineiro",
        [
            "não tem litoral e tem cidades históricas famosas, como Ouro Preto",
            "tem o maior número de municípios entre os estados brasileiros",
        ],
    ),
    (
        "Pará",
        "o",
        "PA",
        "Belém",
        "Norte",
        ["Amazônia"],
        "paraense",
        ["abriga a Ilha de Marajó, na foz do rio Amazonas", "é o maior produtor de açaí do Brasil"],
    ),
    (
        "Paraíba",
        "a",
        "PB",
        "João Pessoa",
        "Nordeste",
        ["Caatinga", "Mata Atlântica"],
        "paraibano",
        [
            "tem a Ponta do Seixas, o ponto mais oriental do continente americano",
            "tem em João Pessoa a cidade mais oriental das Américas",
        ],
    ),
    (
        "Paraná",
        "o",
        "PR",
        "Curitiba",
        "Sul",
        ["Mata Atlântica"],
        "paranaense",
        [
            "abriga as Cataratas do Iguaçu, na fronteira com a Argentina",
            "tem a gralha-azul e a araucária como símbolos",
        ],
    ),
    (
        "Pernambuco",
        "",
        "PE",
        "Recife",
        "Nordeste",
        ["Caatinga", "Mata Atlântica"],
        "pernambucano",
        [
            "inclui o arquipélago de Fernando de Noronha, no oceano Atlântico",
            "é a terra do frevo e do maracatu",
        ],
    ),
    (
        "Piauí",
        "o",
        "PI",
        "Teresina",
        "Nordeste",
        ["Caatinga", "Cerrado"],
        "piauiense",
        [
            "abriga o Parque Nacional da Serra da Capivara, com pinturas rupestres muito antigas",
            "tem o menor litoral entre os estados brasileiros que têm costa",
        ],
    ),
    (
        "Rio de Janeiro",
        "o",
        "RJ",
        "Rio de Janeiro",
        "Sudeste",
        ["Mata Atlântica"],
        "fluminense",
        [
            "tem na capital o Cristo Redentor, no alto do morro do Corcovado",
            "teve na cidade do Rio de Janeiro a capital do Brasil até 1960",
        ],
    ),
    (
        "Rio Grande do Norte",
        "o",
        "RN",
        "Natal",
        "Nordeste",
        ["Caatinga", "Mata Atlântica"],
        "potiguar",
        [
            "tem dunas famosas, como as de Genipabu, perto de Natal",
            "é um dos maiores produtores de sal marinho do Brasil",
        ],
    ),
    (
        "Rio Grande do Sul",
        "o",
        "RS",
        "Porto Alegre",
        "Sul",
        ["Pampa", "Mata Atlântica"],
        "gaúcho",
        [
            "fica no extremo sul do Brasil",
            "tem o Pampa, bioma que no Brasil só aparece em território gaúcho",
        ],
    ),
    (
        "Rondônia",
        "",
        "RO",
        "Porto Velho",
        "Norte",
        ["Amazônia", "Cerrado"],
        "rondoniense",
        ["tem um nome que homenageia o marechal Cândido Rondon", "faz fronteira com a Bolívia"],
    ),
    (
        "Roraima",
        "",
        "RR",
        "Boa Vista",
        "Norte",
        ["Amazônia"],
        "roraimense",
        [
            "fica no extremo norte do Brasil",
            "abriga parte do Monte Roraima, na fronteira com a Venezuela e a Guiana",
        ],
    ),
    (
        "Santa Catarina",
        "",
        "SC",
        "Florianópolis",
        "Sul",
        ["Mata Atlântica"],
        "catarinense",
        [
            "tem a capital, Florianópolis, em grande parte sobre uma ilha",
            "tem serras onde às vezes neva no inverno",
        ],
    ),
    (
        "São Paulo",
        "",
        "SP",
        "São Paulo",
        "Sudeste",
        ["Mata Atlântica", "Cerrado"],
        "paulista",
        [
            "tem a maior população entre os estados brasileiros",
            "tem na capital a maior cidade do país",
        ],
    ),
    (
        "Sergipe",
        "",
        "SE",
        "Aracaju",
        "Nordeste",
        ["Mata Atlântica", "Caatinga"],
        "sergipano",
        [
            "tem a menor área entre os estados brasileiros",
            "tem no rio São Francisco a divisa com Alagoas",
        ],
    ),
    (
        "Tocantins",
        "o",
        "TO",
        "Palmas",
        "Norte",
        ["Cerrado", "Amazônia"],
        "tocantinense",
        [
            "foi criado em 1988 e é o mais novo dos estados brasileiros",
            "abriga o Jalapão, com dunas, fervedouros e cachoeiras",
        ],
    ),
]

REGION_ORDER = ["Norte", "Nordeste", "Centro-Oeste", "Sudeste", "Sul"]


def capital_ref(capital: str, name: str) -> str:
    """'Curitiba', or 'a cidade de São Paulo' when capital and state share the name."""
    if capital != name:
        return capital
    return "a cidade do Rio de Janeiro" if capital == "Rio de Janeiro" else f"a cidade de {capital}"


def section_units(rng: random.Random) -> list[str]:
    out = []
    for name, art, sigla, capital, region, biomes, gentilico, traits in UFS:
        full, de, em = with_art(art, name), prep("de", art, name), prep("em", art, name)
        bio_word = "O bioma principal" if len(biomes) == 1 else "Os biomas principais"
        bio_verb = "é" if len(biomes) == 1 else "são"
        if sigla == "DF":
            out += [
                "O Distrito Federal é uma unidade federativa da região Centro-Oeste e não é um "
                "estado. Nele fica "
                "Brasília, a capital do Brasil, inaugurada em 21 de abril de 1960. A sigla é DF.",
                "Brasília foi planejada pelo urbanista Lúcio Costa, e muitos de seus prédios foram "
                "projetados pelo "
                "arquiteto Oscar Niemeyer. Quem nasce no Distrito Federal é chamado de "
                "brasiliense.",
                qa(
                    "Qual é a capital do Brasil?",
                    "A capital do Brasil é Brasília, que fica no Distrito Federal, "
                    "na região Centro-Oeste.",
                ),
                qa(
                    "O Distrito Federal é um estado?",
                    "Não. O Distrito Federal é uma unidade federativa, mas não é um "
                    "estado. O Brasil tem 26 estados e o Distrito Federal, somando 27 unidades "
                    "federativas.",
                ),
                "O bioma principal do Distrito Federal é o Cerrado. O Distrito Federal "
                f"{traits[1]}.",
            ]
            continue
        cref = capital_ref(capital, name)
        intro = rng.choice(
            [
                f"{cap(full)} é um estado da região {region} do Brasil. A capital é {cref}, e a "
                "sigla "
                f"é {sigla}.",
                f"Na região {region} fica {full}, cuja capital é {cref}. A sigla do estado é "
                f"{sigla}.",
                f"A capital {de} é {cref}. O estado fica na região {region} e usa a sigla {sigla}.",
                f"{cap(cref)} é a capital {de}, estado da região {region} identificado pela sigla "
                f"{sigla}.",
            ]
        )
        people = rng.choice(
            [
                f"Quem nasce {em} é chamado de {gentilico}. {bio_word} {de} {bio_verb} "
                f"{biomes_art(biomes)}.",
                f"O gentílico de quem nasce {em} é {gentilico}. No estado "
                f"predomina{'m' if len(biomes) > 1 else ''} "
                f"{biomes_art(biomes)}.",
                f"Os habitantes {de} são chamados de "
                f"{gentilico + ('es' if gentilico.endswith('r') else 's')}. "
                f"{bio_word} do estado {bio_verb} {biomes_art(biomes)}.",
            ]
        )
        t1, t2 = traits
        trait = rng.choice(
            [
                f"{cap(full)} {t1}. Além disso, o estado {t2}.",
                f"Dois fatos sobre {full}: {t1}, e também {t2}.",
                f"Você sabia? {cap(full)} {t2}. O estado também {t1}.",
            ]
        )
        out += [intro, people, trait]
        out.append(
            rng.choice(
                [
                    qa(f"Qual é a capital {de}?", f"A capital {de} é {cref}."),
                    qa(
                        f"Me diga a capital {de}.",
                        f"{cap(cref)} é a capital {de}, na região {region}.",
                    ),
                ]
            )
        )
        out.append(
            rng.choice(
                [
                    qa(
                        f"{cap(cref)} é a capital de qual estado?",
                        f"{cap(cref)} é a capital {de}, estado da região {region}.",
                    ),
                    qa(f"De que estado {cref} é a capital?", f"{cap(cref)} é a capital {de}."),
                ]
            )
        )
        out.append(
            rng.choice(
                [
                    qa(
                        f"Em que região do Brasil fica {full}?",
                        f"{cap(full)} fica na região {region}.",
                    ),
                    qa(f"Qual é a sigla {de}?", f"A sigla {de} é {sigla}."),
                    qa(
                        f"Como se chama quem nasce {em}?",
                        f"Quem nasce {em} é chamado de {gentilico}.",
                    ),
                ]
            )
        )
        out.append(
            qa(
                rng.choice(
                    [
                        f"Conte uma curiosidade sobre {full}.",
                        f"Fale um fato interessante sobre {full}.",
                    ]
                ),
                f"{cap(full)} {rng.choice(traits)}.",
            )
        )

    for region in REGION_ORDER:
        members = [u for u in UFS if u[4] == region]
        states = [with_art(u[1], u[0]) for u in members if u[2] != "DF"]
        has_df = any(u[2] == "DF" for u in members)
        count = extenso(len(states))
        listing = join_pt(states) + (", além do Distrito Federal" if has_df else "")
        out.append(f"A região {region} tem {count} estados: {listing}.")
        capitals = join_pt([f"{u[3]} ({u[2]})" for u in members])
        out.append(
            qa(
                f"Quais são as capitais da região {region}?",
                f"As capitais da região {region} são {capitals}.",
            )
        )
    out += [
        "O Brasil está dividido em 27 unidades federativas: 26 estados e o Distrito Federal. Essas "
        "unidades são "
        "agrupadas em cinco regiões: Norte, Nordeste, Centro-Oeste, Sudeste e Sul.",
        qa(
            "Quantas unidades federativas tem o Brasil?",
            "O Brasil tem 27 unidades federativas: 26 estados e o Distrito Federal.",
        ),
        qa(
            "Quais são as cinco regiões do Brasil?",
            "As cinco regiões do Brasil são Norte, Nordeste, Centro-Oeste, Sudeste e Sul.",
        ),
        qa(
            "Qual é o maior estado do Brasil em área?",
            "O maior estado do Brasil em área é o Amazonas, na região Norte.",
        ),
        qa(
            "Qual é o menor estado do Brasil em área?",
            "O menor estado do Brasil em área é Sergipe, no Nordeste.",
        ),
        qa(
            "Qual é o estado mais populoso do Brasil?",
            "O estado mais populoso do Brasil é São Paulo, no Sudeste.",
        ),
        "A região Norte é a maior do Brasil em área e é coberta em grande parte pela floresta "
        "amazônica. A região "
        "Nordeste é a que tem mais estados: nove ao todo.",
    ]
    return out


# ----------------------------------------------------------------------------- facts: biomes

BIOMES = [
    (
        "Amazônia",
        "é a maior floresta tropical do mundo",
        "tem clima quente e úmido, com muita chuva o ano inteiro",
        "é cortada pelo rio Amazonas e por milhares de outros rios",
    ),
    (
        "Cerrado",
        "é a savana brasileira, com árvores baixas de troncos tortos e casca grossa",
        "tem uma estação seca bem marcada, no inverno, e outra chuvosa, no verão",
        "abriga nascentes de rios importantes e por isso é chamado de berço das águas",
    ),
    (
        "Caatinga",
        "é um bioma que só existe no Brasil",
        "tem clima semiárido, com pouca chuva e muito sol",
        "tem plantas que perdem as folhas na seca e cactos como o mandacaru e o xique-xique",
    ),
    (
        "Mata Atlântica",
        "é uma floresta que acompanha boa parte do litoral brasileiro",
        "foi muito desmatada desde a chegada dos portugueses, e hoje restam só pequenas partes da "
        "mata original",
        "tem enorme variedade de plantas e animais, como o mico-leão-dourado",
    ),
    (
        "Pantanal",
        "é uma das maiores planícies alagáveis do mundo",
        "passa por um ciclo de cheia, quando os rios transbordam, e de seca, quando as águas "
        "baixam",
        "é ótimo para observar animais, como jacarés, capivaras e tuiuiús",
    ),
    (
        "Pampa",
        "é formado por campos com vegetação rasteira e poucas árvores",
        "tem invernos frios e verões quentes",
        "é o bioma da criação de gado e da cultura gaúcha",
    ),
]


def section_biomes(rng: random.Random) -> list[str]:
    out = [
        "O Brasil tem seis biomas continentais: Amazônia, Cerrado, Caatinga, Mata Atlântica, "
        "Pantanal e Pampa. "
        "Um bioma é um grande conjunto de vida, com clima, solo, plantas e animais parecidos.",
        qa(
            "Quais são os biomas do Brasil?",
            "Os seis biomas continentais do Brasil são a Amazônia, o Cerrado, a "
            "Caatinga, a Mata Atlântica, o Pantanal e o Pampa.",
        ),
    ]
    for name, a, b, c in BIOMES:
        full = with_art(BIOME_ART[name], name)
        ufs = [prep("em", u[1], u[0]) for u in UFS if name in u[5] and u[2] != "DF"]
        out.append(
            rng.choice([f"{cap(full)} {a}. Esse bioma {b}.", f"{cap(full)} {a}. Além disso, {b}."])
        )
        out.append(f"{cap(full)} {c}.")
        out.append(
            qa(rng.choice([f"O que é {full}?", f"Descreva {full}."]), f"{cap(full)} {a}. {cap(b)}.")
        )
        if len(ufs) <= 9:
            out.append(
                qa(
                    f"Em quais estados encontramos {full}?",
                    f"{cap(full)} aparece como bioma importante {join_pt(ufs)}.",
                )
            )
    return out


# ----------------------------------------------------------------------------- facts: planets

# (name, kind, trait, time to orbit the Sun, moons sentence)
PLANETS = [
    (
        "Mercúrio",
        "rochoso",
        "é o menor planeta do Sistema Solar e o mais próximo do Sol",
        "cerca de 88 dias",
        "Mercúrio não tem luas.",
    ),
    (
        "Vênus",
        "rochoso",
        "é o planeta mais quente do Sistema Solar, por causa de sua atmosfera espessa de gás "
        "carbônico",
        "cerca de 225 dias",
        "Vênus não tem luas e é conhecido como estrela-d'alva, porque brilha muito "
        "no céu ao amanhecer.",
    ),
    (
        "Terra",
        "rochoso",
        "é o único planeta conhecido onde existe vida e tem água líquida na superfície",
        "cerca de 365 dias",
        "A Terra tem uma lua, que chamamos simplesmente de Lua.",
    ),
    (
        "Marte",
        "rochoso",
        "é chamado de planeta vermelho por causa do óxido de ferro, a ferrugem, em seu solo",
        "cerca de 687 dias",
        "Marte tem duas luas pequenas, Fobos e Deimos.",
    ),
    (
        "Júpiter",
        "gigante gasoso",
        "é o maior planeta do Sistema Solar e tem a Grande Mancha Vermelha, uma tempestade enorme",
        "cerca de 12 anos",
        "Júpiter tem muitas luas; as quatro maiores foram descobertas por Galileu Galilei em 1610.",
    ),
    (
        "Saturno",
        "gigante gasoso",
        "é famoso por seus anéis, formados por pedaços de gelo e de rocha",
        "cerca de 29 anos",
        "Saturno tem muitas luas, e a maior delas se chama Titã.",
    ),
    (
        "Urano",
        "gigante de gelo",
        "gira quase deitado, porque seu eixo é muito inclinado",
        "cerca de 84 anos",
        "Urano foi o primeiro planeta descoberto com um telescópio, em 1781.",
    ),
    (
        "Netuno",
        "gigante de gelo",
        "é o planeta mais distante do Sol e tem os ventos mais fortes do Sistema Solar",
        "cerca de 165 anos",
        "Netuno tem uma cor azul intensa, e sua maior lua se chama Tritão.",
    ),
]


def planet_art(name: str) -> str:
    return "a Terra" if name == "Terra" else name


def section_planets(rng: random.Random) -> list[str]:
    names = [p[0] for p in PLANETS]
    out = [
        f"O Sistema Solar tem oito planetas. Em ordem, a partir do Sol, são: {join_pt(names)}.",
        "Os quatro planetas mais próximos do Sol, Mercúrio, Vênus, Terra e Marte, são rochosos. "
        "Júpiter e Saturno "
        "são gigantes gasosos, e Urano e Netuno são gigantes de gelo.",
        qa(
            "Quantos planetas tem o Sistema Solar?",
            f"O Sistema Solar tem oito planetas: {join_pt(names)}.",
        ),
        qa(
            "Plutão é um planeta?",
            "Não mais. Desde 2006, Plutão é classificado como planeta anão, porque não "
            "limpou a vizinhança da sua órbita.",
        ),
        "O Sol é uma estrela. Ele fica no centro do Sistema Solar, e os planetas giram ao seu "
        "redor em órbitas.",
        qa("Qual é a estrela mais próxima da Terra?", "A estrela mais próxima da Terra é o Sol."),
    ]
    for i, (name, kind, trait, year, moons) in enumerate(PLANETS):
        full = planet_art(name)
        kind_phrase = "um planeta rochoso" if kind == "rochoso" else f"um {kind}"
        out.append(
            rng.choice(
                [
                    f"{cap(full)} é o {ORDINALS[i]} planeta a partir do Sol. É {kind_phrase} e "
                    f"{trait}.",
                    f"Na ordem a partir do Sol, {full} ocupa a {ORDINALS[i][:-1]}a posição. "
                    f"{cap(full)} "
                    f"{trait}.",
                    f"{cap(full)} {trait}. É {kind_phrase}, o {ORDINALS[i]} na ordem a partir do "
                    "Sol.",
                ]
            )
        )
        out.append(
            rng.choice(
                [
                    f"{cap(full)} leva {year} para dar uma volta completa ao redor do Sol. {moons}",
                    f"Um ano em {name} dura {year} terrestres, que é o tempo de uma volta ao redor "
                    "do Sol. "
                    f"{moons}"
                    if name != "Terra"
                    else f"Um ano na Terra dura {year}, o tempo de uma volta ao redor do Sol. "
                    f"{moons}",
                ]
            )
        )
        out.append(
            qa(
                f"Qual é o {ORDINALS[i]} planeta a partir do Sol?",
                f"O {ORDINALS[i]} planeta a partir do Sol é {full}.",
            )
        )
        out.append(
            qa(
                rng.choice([f"Fale sobre {full}.", f"O que você sabe sobre {full}?"]),
                f"{cap(full)} é {kind_phrase}, o {ORDINALS[i]} a partir do Sol. "
                f"{cap(full)} {trait}.",
            )
        )
        if i < len(PLANETS) - 1:
            nxt = planet_art(PLANETS[i + 1][0])
            after = "da Terra" if name == "Terra" else f"de {name}"
            out.append(
                qa(
                    f"Qual planeta vem depois {after}, em ordem a partir do Sol?",
                    f"Depois {after} vem {nxt}.",
                )
            )
    return out


# ----------------------------------------------------------------------------- facts: animals

DIETS = {
    "carnívoro": "se alimenta de outros animais",
    "herbívoro": "se alimenta de plantas",
    "onívoro": "come tanto plantas quanto animais",
    "insetívoro": "se alimenta principalmente de insetos",
}

# (name, article, biomes, diet, food, habitat, trait)
ANIMALS = [
    (
        "onça-pintada",
        "a",
        ["Amazônia", "Pantanal", "Cerrado", "Mata Atlântica"],
        "carnívoro",
        "capivaras, veados, jacarés e peixes",
        "em florestas e matas perto de rios",
        "é o maior felino das Américas e nada muito bem",
    ),
    (
        "capivara",
        "a",
        ["Pantanal", "Cerrado", "Amazônia", "Mata Atlântica", "Pampa"],
        "herbívoro",
        "capim e plantas aquáticas",
        "nas beiras de rios, lagos e brejos",
        "é o maior roedor do mundo e vive em grupos",
    ),
    (
        "tamanduá-bandeira",
        "o",
        ["Cerrado", "Pantanal"],
        "insetívoro",
        "formigas e cupins",
        "em campos e cerrados",
        "não tem dentes e usa uma língua comprida e pegajosa para pegar insetos",
    ),
    (
        "lobo-guará",
        "o",
        ["Cerrado"],
        "onívoro",
        "frutos da lobeira, pequenos roedores, aves e insetos",
        "em campos abertos",
        "tem pernas longas e pelos alaranjados e aparece na nota de 200 reais",
    ),
    (
        "arara-azul",
        "a",
        ["Pantanal", "Cerrado"],
        "herbívoro",
        "castanhas de palmeiras, como o acuri e a bocaiuva",
        "em áreas com palmeiras e árvores com ocos, onde faz o ninho",
        "é a maior arara do mundo e tem um bico forte capaz de quebrar cocos duros",
    ),
    (
        "boto-cor-de-rosa",
        "o",
        ["Amazônia"],
        "carnívoro",
        "peixes",
        "em rios e lagos de água doce",
        "é um golfinho de água doce e aparece em lendas da região Norte",
    ),
    (
        "peixe-boi-da-amazônia",
        "o",
        ["Amazônia"],
        "herbívoro",
        "plantas aquáticas e capins",
        "em rios e lagos de água doce",
        "é um mamífero aquático grande e calmo que respira ar na superfície",
    ),
    (
        "jacaré-do-pantanal",
        "o",
        ["Pantanal"],
        "carnívoro",
        "peixes, caramujos, aves e pequenos mamíferos",
        "em rios, lagoas e áreas alagadas",
        "é um réptil que toma sol para aquecer o corpo",
    ),
    (
        "mico-leão-dourado",
        "o",
        ["Mata Atlântica"],
        "onívoro",
        "frutas, insetos, pequenos lagartos e ovos",
        "nas matas de baixada do litoral do Rio de Janeiro",
        "tem pelos dourados e virou símbolo da luta contra a extinção",
    ),
    (
        "muriqui",
        "o",
        ["Mata Atlântica"],
        "herbívoro",
        "folhas, frutos e flores",
        "nas copas das árvores",
        "é o maior macaco das Américas",
    ),
    (
        "preguiça-de-três-dedos",
        "a",
        ["Amazônia", "Mata Atlântica"],
        "herbívoro",
        "folhas de árvores, como a embaúba",
        "nas copas das árvores",
        "se move devagar e desce da árvore mais ou menos uma vez por semana",
    ),
    (
        "tatu-bola",
        "o",
        ["Caatinga", "Cerrado"],
        "insetívoro",
        "formigas e cupins",
        "em áreas secas e abertas",
        "consegue se enrolar e virar uma bola para se proteger",
    ),
    (
        "mocó",
        "o",
        ["Caatinga"],
        "herbívoro",
        "folhas, cascas e brotos",
        "entre as pedras e os lajedos do sertão",
        "é um roedor parente do preá",
    ),
    (
        "asa-branca",
        "a",
        ["Caatinga", "Cerrado"],
        "herbívoro",
        "sementes e frutos",
        "em campos e áreas abertas",
        "é uma pomba que dá nome a uma canção famosa de Luiz Gonzaga",
    ),
    (
        "ema",
        "a",
        ["Cerrado", "Pampa"],
        "onívoro",
        "folhas, sementes, frutos, insetos e pequenos animais",
        "em campos abertos",
        "é a maior ave do Brasil e não voa, mas corre muito rápido",
    ),
    (
        "quero-quero",
        "o",
        ["Pampa"],
        "insetívoro",
        "besouros, gafanhotos e larvas de insetos",
        "em campos, gramados e beiras de lagoas",
        "grita alto quando alguém chega perto do ninho e é símbolo do Rio Grande do Sul",
    ),
    (
        "tucano-toco",
        "o",
        ["Cerrado", "Pantanal"],
        "onívoro",
        "frutas, ovos, insetos e filhotes de outras aves",
        "em matas e bordas de florestas",
        "tem o maior bico entre os tucanos, de cor alaranjada",
    ),
    (
        "sucuri",
        "a",
        ["Pantanal", "Amazônia"],
        "carnívoro",
        "peixes, aves, jacarés e capivaras",
        "em rios, lagoas e brejos",
        "não é venenosa e mata as presas apertando-as com o corpo",
    ),
    (
        "pirarucu",
        "o",
        ["Amazônia"],
        "carnívoro",
        "outros peixes",
        "em rios e lagos de águas calmas",
        "é um dos maiores peixes de água doce do mundo e sobe à superfície para respirar ar",
    ),
    (
        "tartaruga-da-amazônia",
        "a",
        ["Amazônia"],
        "herbívoro",
        "frutos, sementes e plantas aquáticas",
        "em grandes rios e põe os ovos em praias de areia na época da seca",
        "é a maior tartaruga de água doce da América do Sul",
    ),
    (
        "harpia",
        "a",
        ["Amazônia", "Mata Atlântica"],
        "carnívoro",
        "preguiças, macacos e outros animais das árvores",
        "em florestas altas",
        "é uma das águias mais fortes do mundo e também é chamada de gavião-real",
    ),
    (
        "ariranha",
        "a",
        ["Pantanal", "Amazônia"],
        "carnívoro",
        "peixes",
        "em rios e lagos",
        "vive em grupos familiares e é parente da lontra",
    ),
    (
        "tuiuiú",
        "o",
        ["Pantanal"],
        "carnívoro",
        "peixes, moluscos e pequenos répteis",
        "em áreas alagadas",
        "é a ave-símbolo do Pantanal e tem o pescoço preto com uma faixa vermelha",
    ),
    (
        "gralha-azul",
        "a",
        ["Mata Atlântica"],
        "onívoro",
        "pinhões, frutos e insetos",
        "nas matas de araucária do Sul",
        "enterra pinhões para comer depois e, quando esquece algum, ajuda a plantar novas "
        "araucárias",
    ),
    (
        "cutia",
        "a",
        ["Amazônia", "Mata Atlântica"],
        "herbívoro",
        "frutos e sementes, como a castanha-do-pará",
        "no chão das florestas",
        "enterra sementes e ajuda a espalhar a castanheira pela floresta",
    ),
    (
        "veado-campeiro",
        "o",
        ["Cerrado", "Pantanal", "Pampa"],
        "herbívoro",
        "capins, folhas e brotos",
        "em campos abertos",
        "está ameaçado em várias regiões porque os campos naturais estão diminuindo",
    ),
]


def section_animals(rng: random.Random) -> list[str]:
    out = [
        "Os animais podem ser classificados pelo que comem. Os herbívoros comem plantas, os "
        "carnívoros comem "
        "outros animais, os onívoros comem plantas e animais, e os insetívoros comem "
        "principalmente insetos.",
        qa(
            "O que é um animal onívoro?",
            "Um animal onívoro é aquele que come tanto plantas quanto animais. "
            "O lobo-guará e o tucano-toco são exemplos de onívoros.",
        ),
    ]
    for name, art, biomes, diet, food, habitat, trait in ANIMALS:
        full = with_art(art, name)
        diet_g = diet[:-1] + "a" if art == "a" else diet
        pron = "Ela" if art == "a" else "Ele"
        out.append(
            rng.choice(
                [
                    f"{cap(full)} vive {biomes_em(biomes)}. É um animal {diet} e se alimenta de "
                    f"{food}.",
                    f"{cap(full)} é {diet_g}, ou seja, {DIETS[diet]}. Sua comida inclui {food}. "
                    "Vive "
                    f"{habitat}.",
                    f"Quem visita {join_pt([with_art(BIOME_ART[b], b) for b in biomes])} pode "
                    "encontrar "
                    f"{full}. "
                    f"{pron} come {food}.",
                ]
            )
        )
        out.append(
            rng.choice(
                [
                    f"{cap(full)} {trait}. {pron} costuma viver {habitat}.",
                    f"Uma curiosidade: {full} {trait}.",
                ]
            )
        )
        out.append(
            rng.choice(
                [
                    qa(
                        f"O que come {full}?",
                        f"{cap(full)} come {food}. Por isso, é um animal {diet}.",
                    ),
                    qa(
                        f"Qual é a alimentação {prep('de', art, name)}?",
                        f"{cap(full)} é {diet_g} e se alimenta de {food}.",
                    ),
                ]
            )
        )
        out.append(
            rng.choice(
                [
                    qa(f"Onde vive {full}?", f"{cap(full)} vive {habitat}, {biomes_em(biomes)}."),
                    qa(
                        f"Em qual bioma brasileiro podemos encontrar {full}?",
                        f"Podemos encontrar {full} {biomes_em(biomes)}.",
                    ),
                ]
            )
        )
    return out


# ----------------------------------------------------------------------------- arithmetic and
# measurement

# (from singular, from plural, to singular, to plural, factor)
CONVERSIONS = [
    ("quilômetro", "quilômetros", "metro", "metros", 1000),
    ("metro", "metros", "centímetro", "centímetros", 100),
    ("centímetro", "centímetros", "milímetro", "milímetros", 10),
    ("quilograma", "quilogramas", "grama", "gramas", 1000),
    ("litro", "litros", "mililitro", "mililitros", 1000),
    ("hora", "horas", "minuto", "minutos", 60),
    ("minuto", "minutos", "segundo", "segundos", 60),
    ("dia", "dias", "hora", "horas", 24),
    ("semana", "semanas", "dia", "dias", 7),
    ("ano", "anos", "mês", "meses", 12),
    ("tonelada", "toneladas", "quilograma", "quilogramas", 1000),
]

NAMES = [
    ("Ana", "a"),
    ("Pedro", "o"),
    ("Júlia", "a"),
    ("Lucas", "o"),
    ("Beatriz", "a"),
    ("Rafael", "o"),
    ("Mariana", "a"),
    ("Gabriel", "o"),
    ("Larissa", "a"),
    ("Thiago", "o"),
    ("Camila", "a"),
    ("Davi", "o"),
    ("Helena", "a"),
    ("Enzo", "o"),
    ("Sofia", "a"),
    ("João", "o"),
    ("Isabela", "a"),
    ("Miguel", "o"),
    ("Yasmin", "a"),
    ("Caio", "o"),
]
THINGS = [
    ("figurinhas", True),
    ("bolinhas de gude", True),
    ("livros", False),
    ("lápis", False),
    ("balas", True),
    ("laranjas", True),
    ("maçãs", True),
    ("adesivos", False),
    ("selos", False),
    ("carrinhos", False),
    # (plural noun, feminine)
    ("canetas", True),
    ("bananas", True),
    ("conchas", True),
    ("chaveiros", False),
]


def how_many(unit_plural: str) -> str:
    return "Quantas" if unit_plural in ("horas", "semanas", "toneladas") else "Quantos"


def conversion(rng: random.Random) -> str:
    f1, fn, t1, tn, k = rng.choice(CONVERSIONS)
    n = rng.randint(2, 12)
    if rng.random() < 0.65:
        ans = n * k
        return rng.choice(
            [
                f"Para converter {n} {fn} em {tn}, multiplicamos por {k}, porque 1 {f1} tem {k} "
                f"{tn}: "
                f"{n} × {k} = {ans} {tn}.",
                qa(
                    f"{how_many(tn)} {tn} há em {n} {fn}?",
                    f"Como 1 {f1} equivale a {k} {tn}, temos {n} × {k} = {ans} {tn}.",
                ),
                f"{n} {fn} correspondem a {ans} {tn}, pois cada {f1} vale {k} {tn} e {n} × {k} = "
                f"{ans}.",
            ]
        )
    total = n * k
    return rng.choice(
        [
            f"Para transformar {total} {tn} em {fn}, dividimos por {k}: {total} ÷ {k} = {n} {fn}.",
            qa(
                f"{how_many(fn)} {fn} são {total} {tn}?",
                f"Dividimos por {k}, já que 1 {f1} tem {k} {tn}: {total} ÷ {k} = {n} {fn}.",
            ),
        ]
    )


def story(rng: random.Random) -> str:
    (name, art), (thing, feminine) = rng.choice(NAMES), rng.choice(THINGS)
    pron = "ela" if art == "a" else "ele"
    kind = rng.randrange(4)
    if kind == 0:
        a, b = rng.randint(5, 60), rng.randint(2, 40)
        return rng.choice(
            [
                f"{name} tinha {a} {thing} e ganhou mais {b}. Agora {pron} tem {a} + {b} = {a + b} "
                f"{thing}.",
                qa(
                    f"{name} tinha {a} {thing} e ganhou {b}. Com "
                    f"{'quantas' if feminine else 'quantos'} {thing} {pron} "
                    "ficou?",
                    f"Somamos: {a} + {b} = {a + b}. {cap(pron)} ficou com {a + b} {thing}.",
                ),
            ]
        )
    if kind == 1:
        a = rng.randint(12, 80)
        b = rng.randint(2, a - 2)
        return rng.choice(
            [
                f"{name} tinha {a} {thing} e deu {b} para um amigo. Sobraram {a} - {b} = {a - b} "
                f"{thing}.",
                qa(
                    f"Se {name} tinha {a} {thing} e perdeu {b}, quanto sobrou?",
                    f"Fazemos a subtração {a} - {b} = {a - b}. Sobraram {a - b} {thing}.",
                ),
            ]
        )
    if kind == 2:
        boxes, per = rng.randint(2, 9), rng.randint(3, 12)
        return rng.choice(
            [
                f"{name} comprou {boxes} pacotes com {per} {thing} em cada um. No total, são "
                f"{boxes} × "
                f"{per} = "
                f"{boxes * per} {thing}.",
                qa(f"Quanto é {boxes} vezes {per}?", f"{boxes} × {per} = {boxes * per}."),
            ]
        )
    kids, per = rng.randint(2, 8), rng.randint(2, 9)
    rest = rng.randint(0, kids - 1)
    total = kids * per + rest
    if rest == 0:
        return (
            f"{name} dividiu {total} {thing} igualmente entre {kids} amigos. Cada amigo recebeu "
            f"{total} ÷ {kids} = {per} {thing}."
        )
    return (
        f"{name} quer dividir {total} {thing} entre {kids} amigos. Como {total} ÷ {kids} = {per}, "
        "com resto "
        f"{rest}, cada amigo recebe {per} {thing} e sobra{'m' if rest > 1 else ''} {rest}."
    )


def geometry(rng: random.Random) -> str:
    w, h = rng.randint(2, 20), rng.randint(2, 15)
    kind = rng.randrange(3)
    if kind == 0:
        return (
            f"Um terreno retangular mede {w} metros por {h} metros. Sua área é {w} × {h} = {w * h} "
            "metros "
            f"quadrados, e seu perímetro é 2 × ({w} + {h}) = {2 * (w + h)} metros."
        )
    if kind == 1:
        return qa(
            f"Qual é a área de um quadrado com lado de {w} centímetros?",
            f"A área do quadrado é lado × lado: {w} × {w} = {w * w} centímetros quadrados.",
        )
    return qa(
        f"Qual é o perímetro de um triângulo com lados de {w}, {h} e {w + h - 1} metros?",
        f"O perímetro é a soma dos lados: {w} + {h} + {w + h - 1} = {2 * (w + h) - 1} metros.",
    )


def percent_fraction(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        p = rng.choice([10, 20, 25, 50, 5, 30, 75])
        base = rng.randint(2, 40) * 20
        r = base * p // 100
        return rng.choice(
            [
                f"Para calcular {p}% de {base}, multiplicamos {base} por {p} e dividimos por 100: "
                f"{base} × {p} ÷ 100 = {r}.",
                qa(f"Quanto é {p}% de {base}?", f"{p}% de {base} é {base} × {p} ÷ 100 = {r}."),
            ]
        )
    if kind == 1:
        d, word = rng.choice(
            [
                (2, "a metade"),
                (3, "um terço"),
                (4, "um quarto"),
                (5, "um quinto"),
                (10, "um décimo"),
            ]
        )
        n = d * rng.randint(2, 30)
        return rng.choice(
            [
                f"{cap(word)} de {n} é {n // d}, porque {n} ÷ {d} = {n // d}.",
                qa(f"Quanto é {word} de {n}?", f"{cap(word)} de {n} é {n} ÷ {d} = {n // d}."),
            ]
        )
    if kind == 2:
        k, mean = rng.randint(3, 5), rng.randint(5, 9)
        while True:  # grades go from 0 to 10; draw until the last one fits
            values = [mean + rng.randint(-3, 3) for _ in range(k - 1)]
            values.append(mean * k - sum(values))
            if all(0 <= v <= 10 for v in values):
                break
        s = " + ".join(map(str, values))
        return (
            f"A média das notas {join_pt([str(v) for v in values])} é calculada somando tudo e "
            "dividindo pela "
            f"quantidade de notas: ({s}) ÷ {k} = {mean * k} ÷ {k} = {mean}."
        )
    price = rng.randint(8, 70) * 25
    paid = rng.choice([note for note in (500, 1000, 2000, 5000) if note > price][:2])
    item = rng.choice(
        ["um caderno", "um suco", "um pão de queijo", "uma revista", "um sorvete", "uma caneta"]
    )
    return (
        f"Um cliente comprou {item} por {money(price)} e pagou com uma nota de {money(paid)}. "
        f"O troco é {money(paid)} - {money(price)} = {money(paid - price)}."
    )


def parity_and_clock(rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        n = rng.randint(10, 999)
        return rng.choice(
            [
                qa(
                    f"O número {n} é par ou ímpar?",
                    f"{n} é {'par' if n % 2 == 0 else 'ímpar'}, porque dividido por 2 deixa resto "
                    f"{n % 2}.",
                ),
                f"O número {n} é {'par' if n % 2 == 0 else 'ímpar'}: o último algarismo é "
                f"{n % 10}.",
            ]
        )
    if kind == 1:
        h, m = rng.randint(7, 20), rng.choice([0, 10, 15, 20, 30, 40, 45, 50])
        dh, dm = rng.randint(0, 2), rng.choice([20, 30, 40, 45, 50, 55])
        end = h * 60 + m + dh * 60 + dm
        dur = f"{plural(dh, 'hora', 'horas')} e {dm} minutos" if dh else f"{dm} minutos"
        event, pron = rng.choice(
            [("Um filme", "Ele"), ("Uma aula", "Ela"), ("Um jogo", "Ele"), ("Uma viagem", "Ela")]
        )
        return (
            f"{event} começa às {h}h{m:02d} e dura {dur}. {pron} termina às "
            f"{end // 60}h{end % 60:02d}, porque "
            f"{h}h{m:02d} mais {dur} dá {end // 60}h{end % 60:02d}."
        )
    hours, minutes = rng.randint(1, 5), rng.choice([5, 10, 15, 20, 30, 45])
    return qa(
        f"Quantos minutos há em {plural(hours, 'hora', 'horas')} e {minutes} minutos?",
        f"{plural(hours, 'hora', 'horas')} equivale{'m' if hours > 1 else ''} a {hours} × 60 "
        f"= {hours * 60} "
        f"minutos; somando {minutes}, "
        f"temos {hours * 60 + minutes} minutos.",
    )


def section_arithmetic(rng: random.Random) -> list[str]:
    out = []
    for k in range(2, 11):
        products = ", ".join(f"{k} × {j} = {k * j}" for j in range(1, 11))
        out.append(f"Tabuada do {k}: {products}.")
    for _ in range(6):
        a, b = rng.randint(2, 12), rng.randint(2, 12)
        out.append(qa(f"Quanto é {a} × {b}?", f"{a} × {b} = {a * b}."))
    for _ in range(6):
        a, b = rng.randint(10, 999), rng.randint(10, 999)
        out.append(
            rng.choice(
                [
                    qa(f"Quanto é {a} + {b}?", f"{a} + {b} = {a + b}."),
                    qa(
                        f"Quanto é {max(a, b)} - {min(a, b)}?",
                        f"{max(a, b)} - {min(a, b)} = {max(a, b) - min(a, b)}.",
                    ),
                ]
            )
        )
    out += [conversion(rng) for _ in range(50)]
    out += [story(rng) for _ in range(50)]
    out += [geometry(rng) for _ in range(15)]
    out += [percent_fraction(rng) for _ in range(32)]
    out += [parity_and_clock(rng) for _ in range(25)]
    out += [
        "Um quilômetro tem 1000 metros, um metro tem 100 centímetros e um centímetro tem 10 "
        "milímetros. Para ir "
        "de uma unidade maior para uma menor, multiplicamos; para ir de uma menor para uma maior, "
        "dividimos.",
        "Um quilograma tem 1000 gramas e um litro tem 1000 mililitros. O prefixo quilo significa "
        "mil, e o prefixo "
        "mili significa a milésima parte.",
        qa(
            "Quantos segundos tem uma hora?",
            "Uma hora tem 60 minutos, e cada minuto tem 60 segundos. Então uma hora "
            "tem 60 × 60 = 3600 segundos.",
        ),
        qa(
            "Quantas horas tem uma semana?",
            "Uma semana tem 7 dias de 24 horas cada: 7 × 24 = 168 horas.",
        ),
        "Um número é par quando pode ser dividido por 2 sem deixar resto, como 4, 10 e 36. Um "
        "número é ímpar "
        "quando a divisão por 2 deixa resto 1, como 3, 15 e 27.",
        "Um número primo tem exatamente dois divisores: 1 e ele mesmo. Os primeiros números primos "
        "são 2, 3, 5, 7, "
        "11, 13, 17, 19, 23 e 29. O número 1 não é primo.",
    ]
    return out


def section_numbers(rng: random.Random) -> list[str]:
    out = [
        "Para escrever números por extenso, juntamos as dezenas e as unidades com a palavra e: 21 "
        "é vinte e "
        "um, e 345 é trezentos e quarenta e cinco. O número 100 se escreve cem, mas 101 é "
        "cento e um."
    ]
    picks = (
        [rng.randint(21, 99) for _ in range(10)]
        + [rng.randint(101, 999) for _ in range(22)]
        + [rng.randint(1001, 99999) for _ in range(12)]
        + [100, 1000, 1100, 2005]
    )
    for n in picks:
        word = extenso(n)
        out.append(
            rng.choice(
                [
                    qa(f"Como se escreve {n} por extenso?", f"{n} se escreve {word}."),
                    f"O número {n} se escreve por extenso assim: {word}.",
                    qa(f"Escreva o número {n} por extenso.", cap(word) + "."),
                ]
            )
        )
    return out


# ----------------------------------------------------------------------------- recipes

# (name, article, ingredients, steps, yield)
RECIPES = [
    (
        "brigadeiro",
        "o",
        [
            "1 lata de leite condensado",
            "1 colher de sopa de manteiga",
            "2 colheres de sopa de chocolate em pó",
            "chocolate granulado para enrolar",
        ],
        [
            "Em uma panela, misture o leite condensado, a manteiga e o chocolate em pó.",
            "Cozinhe em fogo baixo, mexendo sempre, até a massa desgrudar do fundo da panela.",
            "Deixe esfriar, unte as mãos com manteiga, faça bolinhas e passe no granulado.",
        ],
        "cerca de 20 brigadeiros",
    ),
    (
        "pão de queijo",
        "o",
        [
            "500 gramas de polvilho",
            "1 xícara de leite",
            "meia xícara de óleo",
            "1 colher de chá de sal",
            "2 ovos",
            "200 gramas de queijo ralado",
        ],
        [
            "Ferva o leite com o óleo e o sal e despeje sobre o polvilho, mexendo bem.",
            "Quando a massa amornar, junte os ovos, um de cada vez, e depois o queijo.",
            "Sove até a massa ficar lisa, faça bolinhas e asse em forno preaquecido a 180 graus "
            "por "
            "cerca de 30 "
            "minutos, até dourar.",
        ],
        "cerca de 30 pães de queijo pequenos",
    ),
    (
        "bolo de cenoura",
        "o",
        [
            "3 cenouras médias",
            "4 ovos",
            "1 xícara de óleo",
            "2 xícaras de açúcar",
            "2 xícaras de farinha de trigo",
            "1 colher de sopa de fermento em pó",
        ],
        [
            "Bata no liquidificador as cenouras picadas, os ovos e o óleo.",
            "Em uma tigela, misture esse creme com o açúcar e a farinha; por último, junte o "
            "fermento.",
            "Asse em forma untada, em forno preaquecido a 180 graus, por cerca de 40 minutos.",
        ],
        "um bolo médio",
    ),
    (
        "arroz branco",
        "o",
        [
            "2 xícaras de arroz",
            "4 xícaras de água quente",
            "1 colher de sopa de óleo",
            "1 dente de alho picado",
            "sal a gosto",
        ],
        [
            "Doure o alho no óleo e junte o arroz, mexendo por um minuto.",
            "Acrescente a água quente e o sal.",
            "Cozinhe em fogo baixo, com a panela semitampada, até a água secar.",
        ],
        "cerca de 6 porções",
    ),
    (
        "feijão",
        "o",
        [
            "2 xícaras de feijão carioca",
            "água para cozinhar",
            "1 folha de louro",
            "2 dentes de alho",
            "meia cebola",
            "1 colher de sopa de óleo",
            "sal a gosto",
        ],
        [
            "Escolha e lave o feijão e deixe de molho em água por algumas horas.",
            "Cozinhe na panela de pressão com água e a folha de louro por cerca de 30 minutos "
            "depois "
            "que pegar pressão.",
            "Refogue o alho e a cebola no óleo, junte ao feijão cozido, acerte o sal e deixe "
            "ferver "
            "mais um pouco.",
        ],
        "cerca de 8 porções",
    ),
    (
        "tapioca",
        "a",
        [
            "3 colheres de sopa de goma de tapioca hidratada",
            "recheio a gosto, como queijo coalho ou coco ralado",
        ],
        [
            "Aqueça uma frigideira antiaderente sem óleo.",
            "Peneire a goma sobre a frigideira, formando um disco, e espere firmar, por cerca de "
            "um "
            "minuto.",
            "Coloque o recheio, dobre a tapioca ao meio e sirva.",
        ],
        "uma tapioca",
    ),
    (
        "vitamina de banana",
        "a",
        ["2 bananas maduras", "2 copos de leite", "1 colher de sopa de aveia", "mel a gosto"],
        [
            "Descasque as bananas e corte em pedaços.",
            "Bata tudo no liquidificador até ficar cremoso.",
            "Sirva gelada.",
        ],
        "2 copos",
    ),
    (
        "salada de frutas",
        "a",
        [
            "1 mamão papaia",
            "2 bananas",
            "1 maçã",
            "1 manga",
            "1 xícara de uvas",
            "suco de 2 laranjas",
        ],
        [
            "Lave as frutas e descasque as que precisam.",
            "Corte tudo em cubos pequenos e coloque em uma tigela.",
            "Regue com o suco de laranja, misture e leve à geladeira antes de servir.",
        ],
        "cerca de 6 porções",
    ),
    (
        "pipoca",
        "a",
        ["meia xícara de milho de pipoca", "2 colheres de sopa de óleo", "sal a gosto"],
        [
            "Aqueça o óleo em uma panela funda e junte o milho.",
            "Tampe a panela e sacuda de vez em quando.",
            "Desligue o fogo quando os estouros ficarem espaçados e tempere com sal.",
        ],
        "uma tigela grande",
    ),
    (
        "cuscuz nordestino",
        "o",
        ["2 xícaras de flocão de milho", "1 colher de chá de sal", "cerca de 1 xícara de água"],
        [
            "Misture o flocão com o sal e a água e deixe hidratar por 10 minutos.",
            "Coloque água no fundo da cuscuzeira e a massa na parte de cima, sem apertar.",
            "Cozinhe no vapor por cerca de 10 minutos e sirva com manteiga, ovo ou queijo.",
        ],
        "cerca de 4 porções",
    ),
    (
        "ovo mexido",
        "o",
        ["2 ovos", "1 colher de chá de manteiga", "uma pitada de sal"],
        [
            "Quebre os ovos em uma tigela, tempere com sal e bata com um garfo.",
            "Derreta a manteiga em fogo baixo e despeje os ovos.",
            "Mexa devagar até os ovos firmarem, sem deixar secar demais.",
        ],
        "uma porção",
    ),
    (
        "suco de laranja",
        "o",
        ["4 laranjas", "gelo a gosto"],
        [
            "Corte as laranjas ao meio.",
            "Esprema as metades no espremedor.",
            "Coe se quiser e sirva com gelo.",
        ],
        "cerca de um copo",
    ),
]


def section_recipes(rng: random.Random) -> list[str]:
    out = []
    for name, art, ingredients, steps, makes in RECIPES:
        full, de = with_art(art, name), prep("de", art, name)
        ing = join_pt(ingredients)
        numbered = "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))
        out.append(
            rng.choice(
                [
                    f"Para fazer {full}, você vai precisar de: {ing}.",
                    f"Ingredientes {de}: {ing}. A receita rende {makes}.",
                    f"A receita {de} leva {ing}.",
                ]
            )
        )
        out.append(
            rng.choice(
                [
                    f"Modo de preparo {de}:\n{numbered}",
                    f"Como preparar {full}: {' '.join(steps)} Rende {makes}.",
                ]
            )
        )
        out.append(
            qa(
                rng.choice([f"Quais são os ingredientes {de}?", f"O que vai na receita {de}?"]),
                f"Para {full}, você precisa de {ing}.",
            )
        )
        out.append(qa(rng.choice([f"Como faço {full}?", f"Me ensine a fazer {full}."]), numbered))
        countable = [x for x in ingredients if x.split()[0].isdigit()]
        if countable:
            item = rng.choice(countable)
            qty, rest = item.split(" ", 1)
            mult = rng.choice([2, 3])
            word = {2: "dobrar", 3: "triplicar"}[mult]
            out.append(
                qa(
                    f"A receita {de} usa {item}. Quanto preciso para {word} a receita?",
                    f"Multiplicamos por {mult}: {qty} × {mult} = {int(qty) * mult}. Você vai "
                    "precisar de "
                    f"{int(qty) * mult} {pluralize_measure(rest, int(qty) * mult)}.",
                )
            )
    return out


def pluralize_measure(rest: str, n: int) -> str:
    """'lata de leite condensado' -> 'latas de leite condensado' (only the head noun changes)."""
    head, _, tail = rest.partition(" ")
    plurals = {
        "lata": "latas",
        "colher": "colheres",
        "xícara": "xícaras",
        "dente": "dentes",
        "folha": "folhas",
        "copo": "copos",
        "mamão": "mamões",
        "maçã": "maçãs",
        "manga": "mangas",
        "ovo": "ovos",
    }
    if n > 1:
        head = plurals.get(head, head)
    return f"{head} {tail}".strip()


# ----------------------------------------------------------------------------- calendar and time

WEEKDAYS = [
    "domingo",
    "segunda-feira",
    "terça-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
    "sábado",
]
MONTHS = [
    ("janeiro", 31),
    ("fevereiro", 28),
    ("março", 31),
    ("abril", 30),
    ("maio", 31),
    ("junho", 30),
    ("julho", 31),
    ("agosto", 31),
    ("setembro", 30),
    ("outubro", 31),
    ("novembro", 30),
    ("dezembro", 31),
]
# southern hemisphere: (season, start, end, description)
SEASONS = [
    (
        "verão",
        "21 de dezembro",
        "20 de março",
        "é a estação mais quente, com dias longos e, em boa parte do Brasil, muitas chuvas",
    ),
    (
        "outono",
        "20 de março",
        "21 de junho",
        "é a estação em que as temperaturas começam a cair e os dias ficam mais curtos",
    ),
    (
        "inverno",
        "21 de junho",
        "22 de setembro",
        "é a estação mais fria, com as noites mais longas do ano; no Sul pode gear e até nevar nas "
        "serras",
    ),
    (
        "primavera",
        "22 de setembro",
        "21 de dezembro",
        "é a estação das flores, em que os dias voltam a ficar mais longos e mais quentes",
    ),
]
HOLIDAYS = [
    ("1º de janeiro", "Confraternização Universal, o primeiro dia do ano"),
    ("21 de abril", "Tiradentes, em memória do herói da Inconfidência Mineira"),
    ("1º de maio", "Dia do Trabalhador"),
    ("7 de setembro", "Independência do Brasil, proclamada em 1822"),
    ("12 de outubro", "Nossa Senhora Aparecida, padroeira do Brasil, e também o Dia das Crianças"),
    ("2 de novembro", "Finados, dia de lembrar quem já morreu"),
    ("15 de novembro", "Proclamação da República, que aconteceu em 1889"),
    ("20 de novembro", "Dia Nacional de Zumbi e da Consciência Negra"),
    ("25 de dezembro", "Natal"),
]


def weekday_pt(d: datetime.date) -> str:
    return WEEKDAYS[(d.weekday() + 1) % 7]  # date.weekday(): Monday is 0


def a_day(day: str) -> str:
    return ("um " if day in ("sábado", "domingo") else "uma ") + day


def is_leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def section_calendar(rng: random.Random) -> list[str]:
    out = [
        f"A semana tem sete dias: {join_pt(WEEKDAYS)}. Os dias de segunda a sexta são chamados de "
        "dias úteis, "
        "e sábado e domingo formam o fim de semana.",
        f"O ano tem doze meses: {join_pt([m for m, _ in MONTHS])}.",
        "Um ano comum tem 365 dias, e um ano bissexto tem 366, porque fevereiro ganha o dia 29. Um "
        "ano é bissexto "
        "quando é divisível por 4, exceto os anos terminados em 00, que só são bissextos se forem "
        "divisíveis por 400.",
        "No hemisfério Sul, onde fica quase todo o Brasil, as estações são invertidas em relação "
        "ao hemisfério "
        "Norte: quando é verão no Brasil, é inverno na Europa e nos Estados Unidos.",
        "As estações do ano acontecem porque o eixo da Terra é inclinado. Ao longo do ano, cada "
        "hemisfério recebe a "
        "luz do Sol de forma mais direta ou mais inclinada.",
        qa("Quantos dias tem um ano?", "Um ano comum tem 365 dias, e um ano bissexto tem 366."),
        qa(
            "Quais são as estações do ano?",
            "As quatro estações do ano são primavera, verão, outono e inverno.",
        ),
        "Um dia tem 24 horas, uma hora tem 60 minutos e um minuto tem 60 segundos. Um ano tem 12 "
        "meses e "
        "cerca de 52 semanas.",
        "As festas juninas acontecem em junho, com quadrilha, fogueira, milho, pamonha e canjica. "
        "São muito "
        "populares no Nordeste.",
        "O Carnaval não tem data fixa: ele acontece em fevereiro ou em março, porque depende da "
        "data da Páscoa.",
    ]
    for i, (month, days) in enumerate(MONTHS):
        nxt, prev = MONTHS[(i + 1) % 12][0], MONTHS[i - 1][0]
        days_text = "28 dias, ou 29 nos anos bissextos" if month == "fevereiro" else f"{days} dias"
        out.append(
            rng.choice(
                [
                    f"{cap(month)} é o "
                    f"{ORDINALS[i] if i < 10 else ('décimo primeiro', 'décimo segundo')[i - 10]} "
                    f"mês do ano e tem {days_text}.",
                    f"O mês de {month} tem {days_text}. Depois de {month} vem {nxt}.",
                ]
            )
        )
        out.append(
            rng.choice(
                [
                    qa(f"Quantos dias tem o mês de {month}?", f"{cap(month)} tem {days_text}."),
                    qa(f"Que mês vem depois de {month}?", f"Depois de {month} vem {nxt}."),
                    qa(f"Que mês vem antes de {month}?", f"Antes de {month} vem {prev}."),
                ]
            )
        )
    for season, start, end, desc in SEASONS:
        the = ("a " if season == "primavera" else "o ") + season
        out.append(
            rng.choice(
                [
                    f"No hemisfério Sul, {the} começa por volta de {start} e termina por volta de "
                    f"{end}. "
                    f"{cap(the)} {desc}.",
                    f"No Brasil, {the} vai mais ou menos de {start} a {end} e {desc}.",
                ]
            )
        )
        out.append(
            qa(
                f"Quando começa {the} no Brasil?",
                f"No hemisfério Sul, {the} começa por volta de {start} e vai até por volta "
                f"de {end}.",
            )
        )
    for date, meaning in HOLIDAYS:
        out.append(
            rng.choice(
                [
                    f"Em {date} é feriado nacional no Brasil: {meaning}.",
                    qa(
                        f"O que se comemora em {date}?", f"Em {date} é feriado nacional: {meaning}."
                    ),
                ]
            )
        )
    for _ in range(20):
        start = rng.randrange(7)
        n = rng.randint(2, 40)
        weeks, rest = divmod(n, 7)
        end = WEEKDAYS[(start + n) % 7]
        how = (
            f"{n} dias são {plural(weeks, 'semana', 'semanas')} e {plural(rest, 'dia', 'dias')}; "
            "as semanas "
            f"inteiras não mudam o dia, então contamos só {plural(rest, 'dia', 'dias')} a "
            "partir de "
            f"{WEEKDAYS[start]}"
            if weeks and rest
            else f"{n} dias são exatamente {plural(weeks, 'semana', 'semanas')}, então o dia da "
            "semana se repete"
            if weeks
            else f"contamos {n} dias a partir de {WEEKDAYS[start]}"
        )
        out.append(
            qa(
                f"Se hoje é {WEEKDAYS[start]}, que dia da semana será daqui a {n} dias?",
                f"Será {end}. Isso porque {how}.",
            )
        )
    for _ in range(25):
        d = datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 31))
        month = MONTHS[d.month - 1][0]
        day = "1º" if d.day == 1 else str(d.day)
        out.append(
            rng.choice(
                [
                    qa(
                        f"Em que dia da semana cai {day} de {month} de {d.year}?",
                        f"O dia {day} de {month} de {d.year} cai em {a_day(weekday_pt(d))}.",
                    ),
                    f"No calendário, o dia {d.day:02d}/{d.month:02d}/{d.year} corresponde a "
                    f"{a_day(weekday_pt(d))}.",
                ]
            )
        )
    for y in rng.sample(range(1990, 2061), 10) + [1900, 2000, 2100]:
        if is_leap(y):
            why = (
                f"{y} é divisível por 400"
                if y % 100 == 0
                else f"{y} é divisível por 4 e não termina em 00"
            )
            out.append(qa(f"O ano {y} é bissexto?", f"Sim. O ano {y} é bissexto, porque {why}."))
        else:
            why = (
                "termina em 00 e não é divisível por 400"
                if y % 100 == 0 and y % 4 == 0
                else f"não é divisível por 4 ({y} ÷ 4 deixa resto {y % 4})"
            )
            out.append(
                qa(f"O ano {y} é bissexto?", f"Não. O ano {y} não é bissexto, porque {why}.")
            )
    for _ in range(10):
        y0 = rng.randint(1950, 2015)
        y1 = rng.randint(y0 + 5, 2024)
        out.append(
            rng.choice(
                [
                    f"Quem nasceu em {y0} completou {y1 - y0} anos em {y1}, porque {y1} - {y0} = "
                    f"{y1 - y0}.",
                    qa(
                        f"Quantos anos se passaram de {y0} até {y1}?",
                        f"Passaram-se {y1} - {y0} = {y1 - y0} anos.",
                    ),
                ]
            )
        )
    return out


# ----------------------------------------------------------------------------- assembly

SECTIONS = [
    section_units,
    section_biomes,
    section_planets,
    section_animals,
    section_arithmetic,
    section_numbers,
    section_recipes,
    section_calendar,
]


def build(seed: int = SEED) -> str:
    """The whole file as one string: every section's paragraphs, shuffled, separated by blank
    lines."""
    paragraphs: list[str] = []
    for section in SECTIONS:
        # a string seed is hashed with SHA-512 by `random`, so it is stable across runs and Python
        # versions
        paragraphs += section(random.Random(f"{seed}:{section.__name__}"))
    random.Random(seed).shuffle(paragraphs)
    return "\n\n".join(p.strip() for p in paragraphs) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write the template-generated pt-BR corpus (gerado.txt)."
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output file (default: the shipped gerado.txt)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    text = build(args.seed)
    write_text_atomic(args.out, text, newline="\n")
    n_qa = text.count("### comando:")
    n_par = text.count("\n\n") + 1 - n_qa  # a Q/A pair has one blank line inside
    print(
        f"{args.out}: {len(text.encode('utf-8'))} bytes, {n_par} paragraphs, {n_qa} of them Q/A "
        "pairs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
