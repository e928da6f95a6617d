"""Build src/llmzero/datasets/spam_ptbr.tsv: an original pt-BR SMS/WhatsApp spam-vs-ham dataset.

Every message comes from text written for llmzero: a few hundred complete handwritten messages
plus templates with slots (names, places, values, dates, fake links). Nothing is copied from any
source. All brands, banks, shops, phone numbers and links are invented; links use obviously fake
domains (exemplo.com, exemplo.com.br, exemplo.net, promo-falsa.net); phone numbers use the
non-existent area code (00) or 0800 000 xxxx.

The script is deterministic (fixed seed, standard library plus llmzero's atomic file writer).
Splits (~70/10/20) are stratified by label and by source (handwritten or template) and grouped:
all messages made from one template land in the same split, so validation and test measure
generalisation to unseen wording, not to a swapped name or value.

    python scripts/make_spam_dataset.py            # write the TSV and print the counts
    python scripts/make_spam_dataset.py --check    # exit 1 if the TSV on disk differs from a fresh build
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from llmzero.fileio import write_text_atomic

SEED = 20240606
TARGET = {"ham": 1080, "spam": 720}  # 1,800 messages, 40% spam
SPLIT_FRACTIONS = {"train": 0.7, "validation": 0.1, "test": 0.2}
OUT = Path(__file__).resolve().parents[1] / "src" / "llmzero" / "datasets" / "spam_ptbr.tsv"

# --------------------------------------------------------------------------------------------------
# Handwritten complete messages (one per line).
# --------------------------------------------------------------------------------------------------

HAM_HANDWRITTEN = """
Mãe, cheguei bem. Amanhã cedo te ligo
Filho, não esquece de tirar a carne do congelador antes de sair
A vó pediu pra avisar que o almoço de domingo vai ser na casa da tia Rosa
pai o carro tá fazendo um barulho estranho qdo freia, dá uma olhada?
Já comprei o pão. Quer mais alguma coisa da padaria?
Vou chegar uns 20 min atrasada, o ônibus quebrou no meio do caminho
Mãe, pode fazer um pix de 30 reais pro passeio da escola? A professora pediu até sexta
Tô saindo do trabalho agora, passo no mercado. Falta alguma coisa em casa?
Alguém viu a chave reserva do portão? Não acho em lugar nenhum
A gata vomitou de novo, amanhã vou levar ela no veterinário
Feliz aniversário, tia! Muita saúde, paz e bolo. Te amo
PARABÉNS MEU IRMÃO!!! hoje é dia de bolo kkkk
vc vem jantar hj? fiz lasanha
Lembra de pegar o remédio da vó na farmácia, a receita tá na gaveta da cozinha
O encanador vem amanhã às 9h, alguém precisa ficar em casa pra abrir
Acabou o gás no meio do almoço kkk já liguei pro depósito
Mãe, passei em cálculo!!! nem acredito
a luz acabou aqui no prédio, aí tb?
Pai, meu celular tá com 5% de bateria, se eu sumir é isso
Combinei com a tia de levar a sobremesa na ceia de natal
Filha, seu boletim chegou, deixei em cima da mesa
Tô com saudade de vcs, quando vcs vêm pra cá?
Mãe o que eu faço com o feijão que ficou duro? kkkk
Lembra que domingo é aniversário do seu avô, liga pra ele
Vou deixar a chave com a vizinha do 12, pega lá quando chegar
Amor, vc pode buscar as crianças hoje? Vou ficar até mais tarde
Comprei o presente da Júlia, depois a gente divide
O pediatra remarcou a consulta do Pedrinho pra quinta às 15h
Tá frio aí? Leva casaco que aqui vai esfriar à noite
Chegamos na praia! A água tá uma delícia
Mãe, a senhora sabe onde tá minha certidão de nascimento? Preciso pra matrícula
Pai, consegui o estágio!!!
Sobrou bolo, quer que eu guarde um pedaço?
Não esquece de regar as plantas enquanto a gente viaja
O cachorro fugiu de novo, tô procurando aqui na rua
Achei o cachorro, tava no quintal do vizinho kkk
Sua tia mandou perguntar se vc ainda usa aquela bicicleta
Vó, a bênção. Domingo passo aí
Pode deixar que eu pago a conta de luz esse mês e vc paga a internet
Seu irmão tá com febre, não vai pra aula hoje
Mãe, ganhei medalha de prata na olimpíada de matemática!
Amor, caiu o salário. Vamos fazer o mercado no sábado?
A vizinha deixou uma encomenda sua aqui em casa
Precisa de carona amanhã cedo?
Mãe, urgente, me liga quando puder. Nada grave, é sobre a viagem
Pai, o IPVA do carro vence esse mês, não esquece
Vó, aprendi a fazer seu bolo de fubá, ficou quase igual kkk
O Pedrinho perdeu o primeiro dente!!
Filho, deixei dinheiro do lanche em cima da geladeira
Tô levando a mãe no médico, volto depois do almoço
Amor, esqueci a marmita em casa, vou comer por aqui mesmo
bora num barzinho sexta depois do trampo?
kkkkkkk não acredito que vc fez isso
blz, te espero na saída do metrô
Vc tem o contato daquele eletricista que foi na sua casa?
cara, no amigo secreto da firma eu ganhei uma caneca de gato kkkk
Manda de novo o link do grupo da viagem? Perdi a mensagem
Fiz o pix da minha parte do churrasco, confere aí
tô te devendo 25 né? mando amanhã cedo
GANHAMOS!!! 3 a 1, vc tinha que ter visto o jogo
Saiu o resultado da rifa da igreja, a Dona Lurdes levou a cesta de chocolate
Alguém quer dividir um uber pra festa? Saio daqui 22h
Parabéns pela aprovação no concurso, amiga! Mais que merecido
vc tb vai no show? comprei ingresso pra pista
Desculpa a demora, tava dormindo kkk
Tô meio mal hoje, não vou conseguir ir. Me conta depois como foi
Me empresta seu carregador amanhã? o meu pifou
Esqueci meu guarda-chuva no seu carro, guarda pra mim?
Que horas começa o filme mesmo?
Já viu a série nova? não me conta nada, tô no episódio 3
kkkk mano olha o que o Rafa postou
Vamos marcar aquele café? Tô com saudade de fofocar
Cheguei em casa, obrigada pela carona!
Nossa, que dia. Depois te ligo e te conto tudo
Tá sabendo que a Bia vai casar?? Recebi o convite hoje
Bora correr no parque amanhã às 6h? Se chover cancela
Vlw pela ajuda na mudança, te devo uma pizza
Cadê vc? Tô na porta do cinema
Consegui os ingressos! Vc me paga depois, 80 conto
tmj mano, qualquer coisa me chama
Traz o violão sábado!
Conferi o resultado da loteria, não foi dessa vez kkk continuo pobre
Aquela loja do centro tá com tênis com 40% de desconto, bora lá no sábado?
Passa o contato da sua manicure? amei sua unha
O bolão do escritório não acertou nada kkk lá se foram meus 10 reais
Vc ganhou o sorteio daquela padaria no Instagram? Vi seu nome no post!
Minha internet caiu, por isso sumi
Hoje tem jogo, vai assistir onde?
Feliz natal pra vc e sua família! 🎄
Ganhei 2 ingressos no sorteio da rádio, quer ir comigo?
Meu cunhado tá vendendo a moto dele por R$ 8.500, se souber de alguém me avisa
Olha que receita boa: receitas.exemplo.com/bolo-de-cenoura
Ela aceitou!!! Vou casar!!!
Vc viu a mensagem que eu mandei ontem?
Tô morrendo de rir com esse áudio kkkkk
Amiga, a festa é à fantasia, não esquece
Nem acredito que já é sexta
Hoje eu pago o açaí, vc pagou da última vez
Achei seu brinco no banheiro, guardei aqui
Sábado tem pelada no campinho às 8h, confirma aí
Bom dia flor do dia ☀️
Chegou bem em casa? Me avisa
Oi sumida! Quanto tempo, tudo bem por aí?
Bom dia, pessoal. A reunião de hoje foi remarcada para as 15h
Consegue me mandar a planilha atualizada até o fim do dia?
Chego 10 min atrasado, trânsito parado na avenida
O cliente aprovou a proposta! Começamos segunda
Pode revisar o relatório antes de eu mandar pro diretor?
Amanhã vou tirar folga, já avisei o RH
Pessoal, lembrete: a entrega do projeto é quinta-feira
O ar-condicionado da sala 3 quebrou, vamos usar a sala de reunião
Seu crachá novo está pronto, pode retirar na recepção
Recebi seu currículo. Podemos conversar quinta às 14h por vídeo?
Bateu a meta do mês, parabéns equipe! Sexta tem pizza por conta da empresa
O sistema vai ficar fora do ar das 22h às 23h para manutenção
Alguém pode cobrir meu plantão de domingo? Troco pelo próximo
Obrigado pela apresentação de hoje, ficou muito boa
Desculpa, não vi sua ligação. Estava em reunião
O fornecedor atrasou a entrega, vou avisar o cliente
Vou pedir almoço, alguém quer alguma coisa?
A impressora do segundo andar tá sem toner de novo
Lembrando que o holerite já está disponível no portal do funcionário
O pagamento dos freelas cai dia 5, como sempre
Pessoal, a confraternização vai ser dia 15 no restaurante da esquina
Reunião cancelada, vamos resolver por e-mail
Preciso da sua assinatura no contrato até amanhã, pode passar aqui?
O estagiário novo começa segunda, alguém mostra a empresa pra ele?
Ganhei o prêmio de funcionário do mês kkk veio um vale-jantar
Parabéns pela promoção, chefe! Merecido
Vi a vaga do processo seletivo interno, vou me inscrever
A empresa vai pagar a PLR dia 20, finalmente
URGENTE: a reunião já começou, entra logo que o cliente tá esperando
Segue o contrato revisado, dá uma olhada na cláusula 4
Hoje saio mais cedo, tenho dentista às 16h
O caminhão chegou, preciso de duas pessoas pra descarregar
Fechamos o caixa com diferença de 12 reais, alguém lembra de algum troco errado?
Prof, posso entregar o trabalho na segunda? Tive um problema com o computador
Alguém anotou a matéria que cai na prova?
A reunião de pais é quarta às 19h no auditório da escola
Amanhã não vai ter aula, o professor tá doente
Galera do TCC, reunião na biblioteca às 14h
Quem vai na formatura precisa pagar a segunda parcela até dia 15
A nota da prova saiu no portal, tirei 8,5!
Alguém tem o PDF do livro de história?
O ônibus da excursão sai às 7h em ponto, não atrasem
Mãe, preciso de cartolina e cola pra amanhã
A inscrição do vestibular termina sexta, já fez a sua?
Meu horário de estágio mudou, agora saio às 17h
A escola mandou bilhete: a festa junina é dia 22
Passei no vestibular!!! Medicina, aí vou eu
Lembrete: trazer a autorização assinada para o passeio ao museu
A bolsa de iniciação científica saiu! Vou receber 700 por mês
Grupo, dividi os slides: cada um faz 4
Quem ficou com meu estojo azul?
A professora pediu pra levar uma foto de quando era bebê
A cantina da escola agora aceita pix
Clínica Bem Viver: sua consulta com a Dra. Helena está confirmada para 12/04 às 10h. Responda 1 para confirmar ou 2 para cancelar.
Banco Aurora: sua fatura fecha dia 10. Acompanhe os lançamentos pelo aplicativo.
Sua recarga de R$ 20,00 foi realizada com sucesso. Obrigado!
Salão da Lu: seu horário de sábado às 9h está confirmado
Oficina do Zé: seu carro está pronto, pode retirar até as 18h
Farmácia Bom Preço: seu pedido está separado e pronto para retirada
A coleta de lixo reciclável na sua rua passa a ser às terças
Condomínio: a água será desligada amanhã das 8h às 12h para limpeza da caixa
Aviso do condomínio: a assembleia será dia 20 às 19h no salão de festas
Sua encomenda chegou na portaria
O técnico da internet vai passar amanhã entre 8h e 12h
Lembrete: a vacina contra a gripe está disponível na UBS do bairro
Seu exame já está disponível. Retire o resultado na recepção ou pelo aplicativo do laboratório.
Seu pedido foi confirmado e está sendo preparado. Tempo estimado: 40 min
Pizzaria Forno de Pedra: seu pedido saiu para entrega!
Seu reembolso de R$ 59,90 foi processado e aparece na próxima fatura
O débito automático da conta de luz foi agendado para o dia 12
Sua senha foi alterada. Se não foi você, ligue para o número no verso do seu cartão.
Academia Força Total: sua mensalidade vence dia 5. Pague na recepção ou pelo app.
O boleto do aluguel já está disponível no seu e-mail
Petshop Amigo Fiel: o banho do Thor terminou, pode buscar
A biblioteca municipal prorrogou o prazo de devolução até dia 30
Seu cartão novo foi enviado e chega em até 7 dias úteis. Desbloqueie pelo aplicativo.
Confirmamos o recebimento do seu pagamento. Obrigado!
Sua solicitação de portabilidade foi concluída
Oi, é o entregador do mercado. Tô na portaria com suas compras
Seu pedido de segunda via do documento está pronto para retirada
Vendo geladeira usada, funcionando perfeitamente, R$ 600. Interessados chamar no privado
Oferta do dia aqui na padaria: 10 pães por 5 reais, vou guardar pra vc?
Fiz um empréstimo pra reformar a cozinha, a parcela ficou 320 por mês
O link da vaquinha pro tratamento da Dona Maria: vaquinha.exemplo.com/dona-maria. Qualquer valor ajuda
Clica no link que te mandei por e-mail, é o formulário da inscrição do curso
Seu código de acesso ao portal do aluno é 482913
Não reconheço essa compra de 89 reais na fatura, vou ligar no banco amanhã
Recebi um SMS estranho dizendo que ganhei um carro kkk apaguei na hora
Cuidado que tão mandando mensagem falsa de banco pedindo código, não passa pra ninguém
Me manda seu pix que te devolvo o dinheiro do ingresso
Paguei a parcela do carro, agora só faltam 6
Juntei dinheiro o ano todo e finalmente comprei a passagem pra ver vcs
Caiu o 13º! Vou quitar o cartão
Gente, o sorteio do amigo secreto já foi feito, cada um recebeu o nome por mensagem
Vou fazer o bolo da Clara, alguém me empresta a forma grande?
Chegou a conta de água, 98 reais, deixei em cima da mesa
Fiz as contas e cada um deve 47 da viagem, pode mandar no pix
O sorteio da cesta de Páscoa da escola é amanhã, a gente comprou 3 números
Mãe, o banco ligou perguntando se era eu que tinha feito uma compra, falei que sim, era o tênis
O banco bloqueou meu cartão quando fui pagar o hotel kkk tive que ligar pra liberar
Não esquece: amanhã é o último dia pra pagar o IPTU com desconto
Nosso projeto ganhou o prêmio da feira de ciências! Primeiro lugar!
Minha irmã foi contemplada no consórcio, vai pegar o carro mês que vem
Carne com 30% de desconto no mercado até domingo, vou lá amanhã
Olha o site da pousada que te falei: pousada.exemplo.com.br
O link do ingresso chegou no meu e-mail, vou te encaminhar
Consegue me passar a senha do wi-fi daí?
O código do portão é 4521, não esquece
Já pedi o cartão novo pelo app, o antigo tava descascando
O gerente me ligou oferecendo empréstimo, falei que não precisava
Tô pensando em fazer um empréstimo pra comprar o carro, o que vc acha?
Amanhã o rodízio japonês tá com 30% off, bora?
Te mandei o comprovante do pix, deu certo?
A encomenda que vc pediu chegou na casa da sua tia, ela guardou
Vi vaga de estágio pra vc no mural da faculdade, manda seu currículo
Seu primo conseguiu emprego naquela empresa de logística
Pessoal, o bingo beneficente da igreja é sábado, cartela a 5 reais
Não vou poder ir no aniversário, mas mandei o presente pelo entregador
Me liga quando puder, tenho uma novidade boa
Oi, tudo bem? Posso passar aí pra pegar a furadeira?
Oi, tudo bem? Vc tem um tempinho hoje pra me ajudar com o currículo?
Olá, aqui é a Marta da secretaria da escola. A matrícula do seu filho foi confirmada
Boa tarde, aqui é da imobiliária. O vistoriador passa no apartamento quinta às 10h
Oi, sou o Jorge, vizinho do 302. Seu carro tá com o farol ligado
Boa tarde! Aqui é a Dani do consultório, a doutora precisou remarcar sua consulta para sexta
Olá, seu currículo foi aprovado para a segunda etapa. A dinâmica será terça às 9h na nossa sede
Tô vendendo brigadeiro pra ajudar na formatura, 3 reais cada, quer?
Filho, depositei sua mesada hoje, não gasta tudo no primeiro dia
Terça na pizzaria é compre uma e leve outra, vamos pedir?
Oi vizinha, chegou uma carta sua aqui por engano
Não vou conseguir pagar minha parte esse mês, posso te passar dia 10?
O seguro do carro renovou e ficou 200 a menos que o ano passado
Vi no jornal que tão aplicando golpe do falso sequestro, avisa a vó pra não atender número estranho
Saiu a lista dos aprovados do concurso, vc tá lá!!!
Meu chefe disse que vou ganhar um bônus no fim do ano se bater a meta
ok, combinado
Chegou?
obg!! ❤️
tô indo
sim kkk
Já saí
Não vou jantar
Me espera
""".strip().splitlines()

SPAM_HANDWRITTEN = """
PARABÉNS! Seu número foi sorteado e você ganhou um carro 0km. Resgate em promo-falsa.net/carro
Cliente especial, você acumulou 15.000 pontos que expiram HOJE. Troque agora: pontos-expirando.exemplo.com
Seu cadastro foi premiado com R$ 5.000! Para receber, confirme seus dados no link abaixo
Parabéns, você é o visitante número 1.000.000! Clique e retire seu prêmio
Sorteio de aniversário da loja: você ganhou um vale-compras de R$ 1.000. Responda com seu CPF para liberar
Ganhe uma TV 55 polegadas respondendo a uma pesquisa rápida: pesquisa-premiada.exemplo.com
Seu pedido de empréstimo foi aprovado! Falta só assinar o contrato digital: contrato-credito.exemplo.com
Você tem pontos acumulados que vencem amanhã. Troque por produtos: resgate-pontos.exemplo.net
Oi! Tô vendendo o curso que me fez ganhar 10 mil no primeiro mês. Quer o link?
Liberamos seu acesso ao aplicativo que paga pra você caminhar. Baixe agora
Pague sua conta de água com 40% de desconto até hoje. Chave Pix no link
Cadastro realizado! Para ativar seu bônus de R$ 150, faça um depósito mínimo de R$ 20
Estamos sorteando 10 celulares entre quem compartilhar esta mensagem com 15 grupos
Sua conta foi selecionada para receber o benefício de R$ 600. Não perca o prazo
Ajude a família que perdeu tudo na enchente. Doe qualquer valor na chave ajuda.urgente@exemplo.com
Sua caixa de e-mail está cheia e será desativada. Libere espaço: webmail-suporte.exemplo.com
Oi, aqui é do setor de cobrança. Existe um débito em seu nome. Responda para negociar
Seu carro tem multas não pagas e pode ser apreendido. Consulte agora
Voce recebeu um presente! Abra para ver: presente.promo-falsa.net
Renda de R$ 500 por dia respondendo pesquisas no celular. Vagas encerram hoje
Bom dia! Me chamo Carlos, sou gerente de contas. Posso te oferecer um cartão com limite alto sem consulta?
Ganhe R$ 20 por cada amigo que você indicar. Sem limite! Comece já
Parabéns! Você foi aprovado para o cartão Black sem anuidade. Confirme seus dados
Aumente seu limite agora mesmo, mesmo com nome sujo. Responda LIMITE
Oi, vi que você está procurando emprego. Temos vaga de atendente com salário de R$ 4.200 sem experiência
Desbloqueie seu benefício de R$ 1.200 informando a senha do aplicativo do governo
Sua restituição está retida por divergência. Regularize para receber
Não é golpe! Dinheiro de verdade. Veja o depoimento de quem ganhou 5 mil em uma semana
Olá, sou advogado. Você tem direito a uma indenização de R$ 8.000. Me chama para saber mais
Seu processo foi ganho! Para liberar o valor da indenização, pague as custas
Loja fechando: tudo a R$ 10! Só hoje, compre pelo link
Tênis original com 90% de desconto, queima de estoque! Corre que acaba
Seu seguro foi cancelado por falta de pagamento. Reative com desconto pelo link
Você foi sorteado para uma viagem com tudo pago para Porto Seguro. Ligue agora
Compre sua casa própria sem entrada! Parcelas de R$ 199. Últimas unidades
Última chamada: seu prêmio será cancelado se não for resgatado em 2 horas
Sua operadora liberou 50GB grátis. Ative digitando seus dados no link
Oi, é o Pedro do financeiro. Preciso que vc pague um boleto urgente do fornecedor, o chefe já autorizou
Oi, sou o gerente do seu banco, a partir de hoje vou te atender por este número. Salve o contato
Mãe, tô num número novo, meu celular caiu na água. Me chama aqui
Pai, me ajuda, bati o carro e preciso pagar o conserto agora. Faz um pix pra esse número?
Bom dia! Tem uma cartela de prêmios com seu nome aqui, só confirmar o endereço
Seu cadastro no clube de descontos foi aprovado. Pague a anuidade de R$ 39 e aproveite
Clique aqui para ver quem visitou seu perfil hoje
Ganhe dinheiro jogando no celular, saque mínimo de R$ 1 direto no Pix
Alerta de segurança: seu e-mail vazou na internet. Troque a senha pelo nosso link
Você recebeu uma transferência de R$ 3.500. Para aceitar, confirme seus dados
Seu boleto venceu. Acesse a segunda via com desconto antes do protesto
Olá! Sua entrega está programada para hoje, mas falta confirmar o pagamento do frete de R$ 8,90
Encomenda pendente: responda 1 para pagar a taxa de R$ 6,50 e receber amanhã
Atenção aposentado: revisão da aposentadoria liberada, você pode ter até R$ 15 mil a receber
Oi, tudo bem? Vc pode me ajudar numa votação? É só clicar e me mandar o código que aparecer
Vota na minha filha no concurso de fotos? Entra no link e confirma com o código do SMS
Cuidado! Sua conta foi clonada. Responda com seu CPF para que possamos proteger
Ganhe 100 reais no seu Pix agora, só instalar o app e cadastrar a chave
Chegou seu kit de boas-vindas grátis! Só falta pagar o envio
Liberamos seu saque-aniversário antecipado sem consulta. Simule agora
Cadastre-se e concorra a um carro por dia! Quanto mais você deposita, mais chances
Apostou e perdeu? Recupere tudo com o nosso método infalível
Milionário revela como transformar 200 reais em 20 mil. Vídeo sai do ar em breve
Seus dados foram usados para abrir uma conta. Conteste agora ligando para nossa central
Pronto para ganhar seu primeiro salário trabalhando de casa? Responda EU
Oi, posso te adicionar num grupo de investimentos? Lucro todo dia
Sua vaga no concurso está garantida! Pague o boleto da inscrição até hoje
Você foi pré-selecionado(a) para o programa Minha Casa Nova. Confirme com seu CPF
Recebemos sua denúncia. Para acompanhar, informe seus dados bancários
Parabéns pela sua compra! Você ganhou um brinde, pague só R$ 14,90 de envio
Oi, meu filho tá internado e preciso de ajuda. Qualquer valor no pix faz diferença
Último aviso: seu CPF será bloqueado para compras. Regularize
Me chama no privado que te passo os números que vão dar amanhã no bicho
Faça renda extra revendendo produtos sem estoque, lucro de até 300%
Seu cartão foi clonado! Ligue urgente para a central antifraude no número abaixo
Devido a atualizações no sistema, sua conta precisa ser revalidada. Responda com seu login e senha
oi sumida kkk lembra de mim? salva meu número
Tenho um trampo rápido pra vc, paga bem. Me chama
Olá, tudo bem? Seu contato apareceu na nossa lista de ganhadores. Posso confirmar seu nome?
oi, é vc?
Salva meu número 😉
Oi! Acho que peguei seu número errado, mas adorei sua foto 😊
Você foi contemplado(a) no consórcio premiado! Para liberar a carta de crédito pague a taxa administrativa
Seu celular foi escolhido para ganhar internet ilimitada grátis por 1 ano. Ative já
BANCO AURORA: Compra de R$ 2.899,00 aprovada. Não reconhece? Ligue agora (00) 4000-1234
Sua chave Pix será desativada em 24h. Regularize: pix-seguro.exemplo.com
Detectamos um acesso suspeito na sua conta. Para bloquear, acesse o link e informe sua senha
Seu cartão foi bloqueado por segurança. Desbloqueie em desbloqueio-cartao.exemplo.com
Pix de R$ 1.250,00 agendado para débito. Se não reconhece, cancele em: cancelar-pix.exemplo.com
Atualização obrigatória do token de segurança. Sem atualizar, sua conta será encerrada hoje
Central de segurança: um funcionário vai ligar para confirmar seus dados. Tenha seu cartão em mãos
Seu aplicativo do banco está desatualizado e será bloqueado. Baixe a versão nova pelo link enviado
Prezado cliente, sua conta apresenta pendência cadastral. Evite o bloqueio: atualiza-cadastro.exemplo.com
Empréstimo aprovado na hora, mesmo negativado! Sem consulta. Chama no zap
Crédito consignado com a menor taxa do mercado. Aposentados e pensionistas, liberamos até R$ 30.000
Precisa de dinheiro? Libero R$ 10 mil no seu Pix em 10 minutos, só pagar a taxa de cadastro
Limpe seu nome em 48h! Dívidas apagadas com até 99% de desconto
Dinheiro fácil: empréstimo sem comprovar renda, parcelas que cabem no bolso. Responda EU QUERO
Seu pacote está retido na alfândega. Pague a taxa de R$ 12,90 para liberar: rastreio-taxa.exemplo.com
Tentamos entregar sua encomenda mas não havia ninguém. Reagende pagando R$ 4,99 no link
Sua encomenda foi devolvida por endereço incompleto. Atualize: entrega-endereco.exemplo.com
Objeto aguardando pagamento de tributos. Regularize em até 2 dias para evitar a devolução
1º depósito DOBRADO! Aposte no jogo de hoje e ganhe bônus de 200%
Robô de apostas que acerta 97% dos jogos. Lucre todo dia sem sair de casa
Ganhei R$ 3.400 ontem no joguinho do tigrinho 🐯 quer que eu te ensine?
Plataforma nova pagando muito, cadastra e ganha 50 reais só de entrar
Sinais VIP de apostas esportivas: green garantido todo dia. Entre no grupo
Emagreça 10kg em 7 dias sem dieta e sem academia! Cápsula 100% natural
Acabe com a dor no joelho em 3 dias com o gel milagroso. Últimas unidades com frete grátis
Calvície nunca mais! Cabelo novo em 15 dias ou seu dinheiro de volta
Chá japonês que seca a barriga enquanto você dorme. Compre 2 e leve 3
Diabetes tem cura! Descubra a receita natural que os médicos escondem
Vaga home office: ganhe de R$ 200 a R$ 800 por dia curtindo vídeos. Interessado? Responda SIM
Olá, sou do RH. Seu perfil foi aprovado para trabalho remoto de meio período. Salário R$ 3.500. Me chama
Trabalhe avaliando produtos e receba na hora via Pix. Vagas limitadas!
Precisamos de pessoas para digitar textos em casa. Ganhos de até R$ 4.000 por mês, kit inicial R$ 97
Oi, te mandei um código por engano, pode me passar? São 6 números
Oi mãe, troquei de número. Salva esse aí
Oi pai, meu celular quebrou, esse é meu número novo. Pode me fazer um favor?
Equipe de suporte: para manter sua conta do aplicativo ativa, envie o código que chegou por SMS
Oi, sumido! Lembra de mim? 😏
Oi, tudo bem? Tenho uma proposta pra vc, posso falar?
Olá! Você tem interesse em renda extra?
Atenção: seu CPF foi citado em processo judicial. Consulte: consulta-processo.exemplo.com
Conta de luz com 50% de desconto pagando hoje via Pix. Gere seu código no link
IPVA com 70% de desconto, só hoje! Pague pelo link
Ganhe seguidores reais no Instagram. 1000 seguidores por R$ 9,90
Invista R$ 100 e receba R$ 1.000 em 24h. Método garantido
Curso grátis com certificado, só pagar a taxa de emissão de R$ 29,90
Vc foi marcado(a) numa foto, olha isso kkk promo-falsa.net/foto
Seu nome está na lista de beneficiários do novo auxílio. Confira: beneficio-novo.exemplo.com.br
Mãe, tô com um problema, preciso que vc faça um pix pra um amigo meu agora, depois te explico
Oi amor, esse é meu número novo, apaga o antigo. Me manda mensagem aqui
Olá, aqui é da operadora. Sua linha será cancelada hoje. Para manter, digite o código recebido
Seu Pix foi bloqueado pelo Banco Central. Libere em liberar-pix.exemplo.com
Ganhe um kit de maquiagem completo! Só pagar o frete de R$ 19,90
Você tem uma restituição de R$ 1.847,32 disponível. Solicite: restituicao.exemplo.com.br
Última chance de sacar o abono! Acesse e informe seus dados bancários
PROMOÇÃO RELÂMPAGO: celular top de linha por R$ 299. Só hoje
Quer ganhar dinheiro dormindo? Me chama que te explico o método
Oi, vi seu anúncio. Posso pagar por Pix agendado? Te mando o comprovante
Seu perfil foi denunciado e será excluído. Conteste em suporte-perfil.exemplo.com
Você tem 1 mensagem de voz não ouvida. Ouça: voz.promo-falsa.net/ouvir
ALERTA: vírus detectado no seu celular! Baixe o antivírus gratuito agora
Sua assinatura de streaming venceu. Atualize o cartão para não perder o acesso
Oi, meu nome é Jéssica, vi seu número no grupo e quis te conhecer 😘
Médicos ficam chocados: aposentado descobre truque para zerar as dívidas
Esquema secreto das bets revelado! Entre no canal antes que apaguem
Bom dia! Sou consultor financeiro e tenho uma oportunidade exclusiva pra vc. Rendimento de 30% ao mês
Você ganhou um cupom de R$ 200 para gastar em qualquer loja. Resgate antes que acabe
Seu nome será negativado amanhã. Quite agora com desconto
Oi, tudo bem? Sou da pesquisa de satisfação. Responda 3 perguntas e ganhe R$ 50 no Pix
Olá, seu número foi indicado para uma vaga de emprego. Posso enviar os detalhes?
Bom dia, você foi aprovado(a) na nossa seleção! Para garantir a vaga, pague o exame admissional
Temos uma encomenda em seu nome aguardando confirmação de endereço. Responda com seu CEP e CPF
Oi, é do banco. Precisamos confirmar uma transação. Qual o código que chegou no seu celular?
Não perca! Sua fatura de energia tem desconto de 60% pagando pelo link
Oi! Desculpa incomodar, sou sua vizinha nova. Posso te pedir um favor? É urgente
Ei, é você nesse vídeo? kkkk
Você ganhou 3 meses de academia grátis. Confirme agora
Compre criptomoeda com 500% de valorização garantida. Últimas vagas no grupo VIP
Seu FGTS extra foi liberado! Consulte o valor e saque hoje mesmo
Seu número de telefone ganhou R$ 2.000 na promoção de aniversário da operadora
Desconto exclusivo: plano de saúde familiar por R$ 49,90. Sem carência! Responda SIM
Pare de pagar juros! Quitamos seu financiamento com 80% de desconto
Olá, tudo bem? Estou montando uma equipe para vender pela internet, pagamento diário. Topa?
""".strip().splitlines()

# --------------------------------------------------------------------------------------------------
# Templates. {slot} is replaced by a random value; a slot used twice in one template gets the same
# value; a slot ending in 2 ({name2}) is always different from its base slot.
# --------------------------------------------------------------------------------------------------

HAM_TEMPLATES = """
{name}, tô chegando em {mins} min
Oi {name}! Chego aí {weekday} lá pelas {time}
{name} vc pode me ligar quando sair da aula?
Tô {at_place}, quer que eu leve alguma coisa?
Fiz o pix de {reais} pra vc, confere aí {name}
{name}, me devolve o {object} quando puder?
Bora almoçar {weekday}? Tô com vontade de {food}
Feliz aniversário, {name}! Tudo de bom pra vc 🎉
{name} tá em casa? Vou passar aí {time}
Mãe, vou dormir na casa da {fname} hj, amanhã volto cedo
Chegou? Me avisa quando estiver em {city}
Valeu pelo jantar de ontem, {name}! Tava tudo ótimo
Alguém vai {to_place} {weekday}? Preciso de carona
{name}, o churrasco é {weekday} às {time}, cada um leva {reais}
A {fname} perguntou se vc vai na festa {weekday}
Amor, compra {grocery} na volta?
Comprei {grocery} e {grocery2}, deixei na cozinha pra vc
Saudade de vc {name}! Quando a gente se vê?
Acabei de chegar em {city}, viagem tranquila
{name}, conseguiu falar com o {mname}?
blz {name}, {weekday} então
Vou me atrasar uns {mins} minutos, desculpa {name}
Ganhei {reais} na rifa da escola kkkk dá pra pagar o lanche
{name}, no amigo secreto vc tirou quem? Eu tirei a {fname} kkk
O aniversário da {fname} vai ser {at_place}, {weekday} às {time}
Tô indo {to_place} agora, depois te ligo
Comprei {food} pra janta, chega cedo {name}
O ônibus atrasou, chego lá pelas {time}
{name} a chave tá embaixo do tapete
Tá chovendo muito em {city}? Aqui tá alagando tudo
Oi {name}, o conserto do celular ficou {value_small}, paguei no pix
O {object} que vc esqueceu ficou aqui em casa, {name}
Parabéns pelo emprego novo, {name}! Sucesso!
{name}, a vaquinha pro presente da {fname} já tá em {reais}, só falta vc
Vendo {sale_item} seminovo por {value_small}, quem tiver interesse me chama
Comprei uma rifa do time do {mname}, número {num}. O sorteio é dia {date}
Ganhei um vale de {value_small} no sorteio do mercado kkk nunca ganho nada
O aluguel de {month} ficou {value_mid}, já transferi pro proprietário
{name}, o link das fotos da festa: {photolink}
Gente, assinem a lista de presença do evento aqui: {formlink}
A vó mandou dizer que tá com saudade, liga pra ela {weekday}
{name}, vc vai querer {food} ou {food2}?
Tô no trânsito, chego em uns {mins} min
Bom dia {name}! Dormiu bem?
Boa noite, gente. Amanhã cedo tem {event}, não esqueçam
Treino {weekday} às {time} na quadra, ninguém falta hein
{name}, o eletricista cobrou {value_small}. Dividimos?
O {pet} tá latindo sem parar, vc deixou comida pra ele?
Vou levar o {pet} no veterinário às {time}
O telefone da pizzaria é {phone}, pede lá que eu pago
Liga nesse número pra marcar o conserto: {phone}, fala que foi a {fname} que indicou
Bom dia {name}, a reunião de {weekday} foi pra {time}
{name}, consegue me mandar o relatório até {time}?
Pessoal, o link da reunião de hoje: {meetlink}
Reunião com o cliente confirmada para {date} às {time}
{name}, o pagamento da nota {order} foi feito hoje, valor de {value_mid}
Lembrete: o prazo do {project} termina {weekday}
{name}, pode cobrir meu turno {weekday}? Te devo uma
O RH pediu pra todo mundo atualizar os dados bancários no portal interno até dia {day}
Entrevista confirmada: {weekday} às {time} na {company}. Traga documento com foto.
{name}, o reembolso da viagem de {value_small} cai no próximo pagamento
A planilha tá no drive, {name}: {doclink}
Chego na obra às {time}, o material chega {weekday}
Prova de {subject} remarcada para {date}
{name}, vc tem o resumo de {subject}?
Escola {school}: reunião de pais dia {date} às {time}
Trabalho de {subject} em grupo, entrega {weekday}. Quem topa fazer comigo?
Escola {school}: a mensalidade de {month} vence dia {day}, valor {value_mid}
Passei em {subject}!!! Tirei {grade}
{bank}: sua fatura fecha dia {day}. Valor parcial: {value_mid}. Acompanhe pelo app.
{bank}: compra aprovada de {value_small} em {merchant}, cartão final {card4}.
{bank}: Pix recebido de {fullname} no valor de {value_small}.
{bank}: seu código de segurança é {code}. Não compartilhe com ninguém, nem com funcionários do banco.
{app}: seu código de verificação é {code}. Ele expira em 10 minutos.
{store}: seu pedido {order} foi entregue. Obrigado pela compra!
{store}: seu pedido {order} saiu para entrega e chega hoje até as {time}.
{carrier}: sua encomenda {order} está a caminho. Previsão de entrega: {date}.
{clinic}: consulta com {doctor} em {date} às {time}. Responda 1 para confirmar ou 2 para cancelar.
{clinic}: lembrete do seu exame amanhã às {time}. Venha em jejum de 8 horas.
{telco}: sua recarga de {value_small} foi confirmada.
{telco}: sua conta de {month} no valor de {value_small} vence dia {day}. O código de barras está no app.
{condo}: a água será cortada {weekday} das 8h às {time} para manutenção.
{pharmacy}: seu pedido está pronto para retirada. Horário: até as {time}.
{name}, sua encomenda da loja {store} chegou na portaria
{bank}: débito automático de {value_small} agendado para {date}.
{bank}: o cartão final {card4} foi cancelado a seu pedido. O novo cartão chega em até 7 dias úteis.
{store}: o reembolso de {value_small} foi aprovado e aparece em até 2 faturas.
{gym}: sua mensalidade de {value_small} vence dia {day}.
{restaurant}: seu pedido saiu para entrega! Previsão: {mins} min
Oficina do {mname}: o orçamento do seu carro ficou em {value_mid}. Pode fazer?
{salon}: seu horário está confirmado para {weekday} às {time}
Campanha de vacinação na UBS do bairro até dia {day}. Leve a caderneta.
{bank}: transferência de {value_mid} para {fullname} concluída.
{store}: cashback de {value_small} creditado referente à compra de {date}.
Oi, é o entregador da loja {store}. Tô na portaria com seu pedido {order}
{bank}: seu empréstimo foi quitado. Obrigado por ser nosso cliente, {name}.
{store}: acompanhe o pedido {order} em loja.exemplo.com.br/pedidos
{name}, escolhe o seu no cardápio: {menulink}
Olha o anúncio do apartamento que eu vi: imoveis.exemplo.com.br/anuncio/{num}
Gente, a {fname} ganhou o sorteio da quermesse! Levou {ham_prize} kkk
Meu número da rifa é o {num}, se eu ganhar {ham_prize} divido com vc kkk
""".strip().splitlines()

SPAM_TEMPLATES = """
PARABÉNS {name}! Você foi sorteado(a) e ganhou {prize}. Resgate em {slink}
Você ganhou {value_big} na promoção {promo}! Confirme seus dados em {slink} para receber
{store}: seu CPF foi sorteado para receber {prize}. Acesse {slink} até hoje às {time}
Última chance! Seus {points} pontos expiram hoje. Troque por {prize} em {slink}
Cliente {bank}, você tem {value_mid} de cashback esquecido. Resgate: {slink}
Seu número de celular ganhou {prize} no sorteio {promo}. Ligue {phone} para retirar
Responda SIM para receber seu prêmio de {value_big}. Promoção válida só hoje
Oi {name}, vc foi o ganhador(a) do nosso sorteio! Para liberar {prize} pague o frete de {value_small} em {slink}
{bank}: compra de {value_mid} aprovada no seu cartão. Não reconhece? Ligue {phone}
{bank}: sua chave Pix será bloqueada em 24h. Regularize em {slink}
{bank_upper} INFORMA: detectamos acesso incomum à sua conta. Confirme sua identidade em {slink}
Seu cartão {bank} final {card4} foi bloqueado preventivamente. Desbloqueie agora: {slink}
Pix de {value_mid} agendado na sua conta. Se não reconhece, cancele em {slink}
{bank}: seu token de segurança expira hoje. Atualize em {slink} para evitar bloqueio
{bank}: identificamos pendência no seu cadastro. Envie foto do seu documento pelo WhatsApp {phone}
Seu limite foi aumentado para {value_big}! Ative em {slink} ainda hoje
Central de segurança {bank}: transferência de {value_mid} para {fullname} em análise. Para cancelar responda com o código que enviamos
Oi {name}, te mandei um código de 6 dígitos por engano. Pode me passar?
Suporte {chatapp}: sua conta será desativada hoje. Para manter, responda com o código que chegou por SMS
Oi {relative}, troquei de número, salva esse. Depois te explico
{relative}, esse é meu número novo. Tô precisando pagar um boleto de {value_mid} urgente, consegue fazer um pix? Amanhã te devolvo
Oi, é a {fname}. Meu celular quebrou, tô usando o de uma amiga. Me faz um pix de {value_small}? Te devolvo hoje
Olá! Sou {name} da {company}. Vi seu currículo e temos uma vaga pra vc, posso explicar?
{chatapp}: confirme o código {code} em {slink} ou sua conta será excluída
Empréstimo de até {value_big} liberado no seu CPF, mesmo negativado! Chama no {phone}
Crédito aprovado: {value_big} em até 84x. Sem consulta. Responda QUERO
{name}, seu empréstimo pré-aprovado de {value_big} expira hoje. Assine em {slink}
Aposentado(a)? Consignado com taxa de {rate}% ao mês. Liberação em 1 hora. {phone}
Nome sujo? Limpe seu nome em {hours}h com {pct}% de desconto nas dívidas: {slink}
Precisa de dinheiro rápido? Libero {value_mid} no seu Pix hoje, só pagar a taxa de cadastro de {value_small}
{carrier}: sua encomenda {order} está retida. Pague a taxa de {value_small} em {slink} para liberar
{carrier}: tentamos entregar seu pacote mas ninguém atendeu. Reagende em {slink}
Sua compra internacional foi taxada em {value_small}. Pague até {date} ou o pacote será devolvido: {slink}
{carrier} informa: endereço incompleto no pedido {order}. Atualize em {slink} em até 24h
Olá, sou o entregador da {carrier}. Seu pacote tem uma taxa de {value_small} na entrega, posso mandar a chave pix?
🔥 Bônus de {pct}% no primeiro depósito na {bet}! Aposte agora: {slink}
{name}, o jogo de hoje tá pagando {odd}x na {bet}. Cadastre-se e ganhe {value_small} de bônus
Ganhei {value_mid} ontem no {game} 🤑 Quer saber a estratégia? Entra no grupo: {slink}
Robô de apostas com {pct}% de acerto. Lucre {value_small} por dia: {slink}
{bet}: sua aposta grátis de {value_small} está esperando. Resgate antes da meia-noite
Plataforma nova pagando MUITO! Deposite {value_small} e saque {value_mid} no mesmo dia
Emagreça {kg}kg em {days} dias com {miracle}! Sem dieta. Compre: {slink}
{miracle_cap} elimina {ailment} em {days} dias. Últimas unidades com frete grátis
Médicos odeiam esse truque: {miracle} acaba com {ailment}. Veja: {slink}
Oferta só hoje: {miracle} de {value_mid} por {value_small}. Pague no Pix e receba em casa
Vaga home office: ganhe {value_small} por dia avaliando {what}. Sem experiência. Responda SIM
Olá {name}! Seu perfil foi selecionado para trabalho remoto. Salário de {value_mid} a {value_big}. Me chama: {phone}
Renda extra garantida! Trabalhe {hours}h por dia pelo celular e ganhe até {value_mid} por semana
Recrutadora {fname} aqui 😊 Temos vagas de meio período com pagamento diário via Pix. Tem interesse?
Ganhe {value_small} a cada tarefa curtindo vídeos. Primeira tarefa: {slink}
Seu CPF está com pendência e será cancelado em {hours}h. Regularize: {slink}
Você tem {value_mid} a receber de valores esquecidos. Consulte em {slink}
Conta de luz com {pct}% de desconto pagando hoje via Pix. Gere o código: {slink}
Multa de trânsito pendente no valor de {value_small}. Pague com desconto até {date}: {slink}
{telco}: seu plano ganhou {gb}GB de bônus. Ative em {slink} antes que expire
{telco}: sua linha será bloqueada hoje por falta de pagamento. Evite pagando {value_small} em {slink}
IPVA {year} com {pct}% de desconto só hoje! Pague em {slink}
Compre {thousand} mil seguidores por apenas {value_small}. Perfil bombando em 1 hora
Invista {value_small} e receba {value_mid} em 24h. Método garantido, sem risco
Curso grátis de {course} com certificado! Só pagar a taxa de emissão de {value_small}: {slink}
Oi {name}, lembra de mim? Vi sua foto e fiquei curiosa 😘 {slink}
Você foi selecionado(a) para testar o novo {gadget}. É grátis, só paga o frete: {slink}
Oi, tudo bem? Tenho uma proposta que vai mudar sua vida financeira. Posso te explicar, {name}?
Queima de estoque: {gadget} por {value_small}! Estoque limitado: {slink}
Saque extra de {value_mid} liberado pro seu CPF. Consulte: {slink}
Atenção {name}: seu nome vai pra protesto amanhã. Evite pagando {value_small} hoje: {slink}
Parabéns! Seu cartão de crédito sem anuidade com limite de {value_big} foi aprovado. Desbloqueie: {slink}
{app}: sua assinatura foi suspensa. Atualize os dados do cartão em {slink}
Fatura em atraso: {value_small}. Evite juros pagando pelo Pix: {pixkey}
Oi {name}, sumiu! Lembra de mim? 😏
Oi, tudo bem {name}? Posso te fazer uma proposta de renda extra?
{name}, é vc nesse vídeo? Olha isso {slink}
Olá, seu número foi indicado por {name} para uma vaga. Posso te passar os detalhes?
""".strip().splitlines()

# --------------------------------------------------------------------------------------------------
# Slot values (all invented).
# --------------------------------------------------------------------------------------------------

FNAMES = (
    "Ana Carla Fernanda Juliana Mariana Beatriz Camila Larissa Letícia Aline Vanessa Patrícia "
    "Renata Sofia "
    "Débora Tati Bia Gabi Júlia Priscila Luana Jéssica Raquel Cris Helena Lívia Marina Paula"
).split()
MNAMES = (
    "Bruno Diego Gabriel Lucas Rafael Thiago Pedro João Gustavo Felipe Rodrigo Marcos Igor Caio "
    "Henrique "
    "Zé Leo Matheus André Vitor Daniel Fábio Renan Murilo Otávio Tiago Samuel Davi"
).split()
SURNAMES = (
    "Silva Souza Oliveira Santos Pereira Lima Costa Ribeiro Almeida Carvalho Gomes Martins Rocha "
    "Araújo "
    "Barbosa Teixeira Moreira Cardoso Nunes Freitas"
).split()
CITIES = [
    "São Paulo",
    "Recife",
    "Belo Horizonte",
    "Curitiba",
    "Salvador",
    "Fortaleza",
    "Porto Alegre",
    "Manaus",
    "Goiânia",
    "Belém",
    "Natal",
    "Campinas",
    "Florianópolis",
    "Vitória",
    "João Pessoa",
    "Londrina",
    "Uberlândia",
]
AT_PLACES = [
    "na padaria",
    "no mercado",
    "na academia",
    "no shopping",
    "na farmácia",
    "no posto",
    "na rodoviária",
    "no ponto de ônibus",
    "na faculdade",
    "no trabalho",
    "na casa da vó",
    "no centro",
    "na feira",
    "na praia",
    "no parque",
    "na igreja",
    "no clube",
    "na sorveteria",
]
BANKS = [
    "Banco Aurora",
    "Banco Ipê",
    "Banco Horizonte",
    "FinCerta",
    "NovaConta",
    "Cooperativa Serra Azul",
    "Banco Litoral",
    "Banco Jatobá",
]
STORES = [
    "LojaMais",
    "Casa Bela",
    "Mercado Vila Nova",
    "Magazine Ponto Certo",
    "Livraria Letra Viva",
    "Ótica Visão Clara",
    "Loja Tudo Lar",
    "Mundo Kids Exemplo",
]
CARRIERS = [
    "Entrega Já",
    "RápidoLog",
    "Transportes Sol Nascente",
    "LevaTudo Entregas",
    "Correio Expresso Exemplo",
]
TELCOS = ["TelNova", "Conecta Móvel", "SinalBom", "Onda Cel"]
APPS = ["PedeAí", "CaronaJá", "Rede Vizinho", "CineFlix Exemplo", "MeuCondomínio", "FotoPapo"]
CHATAPPS = ["PapoZap", "Mensageiro", "ZapConecta"]
CLINICS = [
    "Clínica Bem Viver",
    "Laboratório Vida",
    "Consultório Sorriso",
    "Clínica São Lucas",
    "Policlínica do Bairro",
]
CONDOS = [
    "Residencial Ipês",
    "Edifício Aurora",
    "Condomínio Jardim das Flores",
    "Residencial Vista Verde",
]
PHARMACIES = ["Farmácia Bom Preço", "Drogaria Saúde", "Farmácia da Esquina"]
GYMS = ["Academia Força Total", "Academia Corpo em Forma", "Academia Movimento"]
RESTAURANTS = [
    "Pizzaria Forno de Pedra",
    "Sushi da Vila",
    "Lanchonete da Praça",
    "Marmitaria Sabor Caseiro",
    "Hamburgueria do Beco",
]
SALONS = ["Salão da Lu", "Barbearia do Gui", "Studio Beleza Pura", "Espaço Unhas da Rê"]
COMPANIES = [
    "Construtora Pilar",
    "Agência Ponto Criativo",
    "Logística Rota Certa",
    "Grupo Horizonte",
    "Atacado Bom Jesus",
    "Tecnologia Nuvem Azul",
]
SCHOOLS = ["Monteiro Lobato", "Santa Clara", "Pequeno Príncipe", "Nova Geração", "Dom Pedro"]
MERCHANTS = [
    "PADARIA PAO QUENTE",
    "SUPERMERC VILA NOVA",
    "POSTO ESTRELA",
    "FARMACIA BOM PRECO",
    "LANCH DA PRACA",
    "ACOUGUE DO TONHO",
    "LIVRARIA LETRA VIVA",
    "PET AMIGO FIEL",
]
BETS = ["GolDaSorte", "BetTrevo", "Trevo777", "PalpiteCerto", "ApostaGol Exemplo"]
GAMES = ["joguinho do tigrinho", "jogo da frutinha", "jogo do foguetinho", "roleta da sorte"]
PRIZES = [
    "um carro 0km",
    "uma moto",
    "uma TV de 65 polegadas",
    "um celular novo",
    "um notebook",
    "uma geladeira",
    "uma viagem com acompanhante",
    "um kit de panelas",
    "uma air fryer",
    "um vale-compras de R$ 1.000",
]
PROMOS = [
    "Show de Prêmios",
    "Aniversário Premiado",
    "Natal Premiado",
    "Sorte Grande",
    "Cliente Fiel Premiado",
]
MIRACLES = [
    "o chá seca-barriga",
    "a cápsula termogênica natural",
    "o óleo milagroso",
    "o gel anti-dor",
    "o suplemento Vital Max",
    "a pomada japonesa",
    "o colágeno turbo",
]
AILMENTS = [
    "dor nas costas",
    "varizes",
    "queda de cabelo",
    "diabetes",
    "pressão alta",
    "dor no joelho",
    "gordura da barriga",
    "rugas",
]
WHATS = ["produtos", "vídeos", "restaurantes", "hotéis", "músicas", "aplicativos"]
COURSES = [
    "informática",
    "inglês",
    "marketing digital",
    "enfermagem",
    "cuidador de idosos",
    "excel",
]
GADGETS = ["fone sem fio", "smartwatch", "celular", "aspirador robô", "tablet", "caixa de som"]
SUBJECTS = [
    "matemática",
    "português",
    "história",
    "geografia",
    "física",
    "química",
    "biologia",
    "inglês",
    "cálculo",
    "estatística",
]
FOODS = [
    "pizza",
    "lasanha",
    "feijoada",
    "churrasco",
    "sushi",
    "hambúrguer",
    "strogonoff",
    "escondidinho",
    "macarrão",
    "tapioca",
    "açaí",
    "coxinha",
    "pastel",
]
GROCERIES = [
    "leite",
    "ovos",
    "pão",
    "café",
    "arroz",
    "banana",
    "papel higiênico",
    "detergente",
    "queijo",
    "tomate",
    "sabão em pó",
    "manteiga",
]
OBJECTS = [
    "livro",
    "carregador",
    "pote",
    "guarda-chuva",
    "casaco",
    "fone",
    "cabo HDMI",
    "caderno",
    "secador",
    "violão",
    "controle do videogame",
]
SALE_ITEMS = [
    "sofá",
    "micro-ondas",
    "berço",
    "guarda-roupa",
    "notebook",
    "celular",
    "fogão",
    "patinete",
]
PETS = ["Thor", "Mel", "Bob", "Luna", "Pipoca", "Fred", "Nina", "Paçoca"]
RELATIVES = ["mãe", "pai", "tia", "vó", "vô", "amor", "mana", "mano", "filha", "filho"]
EVENTS = ["reunião", "treino", "culto", "missa", "ensaio", "aula de reforço", "mutirão"]
PROJECTS = ["site novo", "app do cliente", "relatório anual", "inventário", "projeto da campanha"]
MONTHS = (
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro"
).split()
WEEKDAYS = ["segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo"]

SPAM_HOSTS = [
    "promo-falsa.net",
    "premio.promo-falsa.net",
    "lnk.promo-falsa.net",
    "encurta.exemplo.com",
    "bit.exemplo.com",
    "atualiza-cadastro.exemplo.com",
    "seguranca-conta.exemplo.com.br",
    "rastreio-taxa.exemplo.net",
    "sorteio-premiado.exemplo.com",
    "app-bonus.exemplo.com",
    "regulariza-cpf.exemplo.com.br",
    "ofertas.exemplo.net",
]
ALNUM = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _token(r: random.Random, n: int) -> str:
    return "".join(r.choice(ALNUM) for _ in range(n))


def _money(r: random.Random, lo: int, hi: int, round_to: int = 1) -> str:
    value = r.randint(lo // round_to, hi // round_to) * round_to
    cents = "00" if round_to > 1 else r.choice(["00", "90", "99", "50", f"{r.randint(0, 99):02d}"])
    return f"R$ {value:,}".replace(",", ".") + f",{cents}"


def _time(r: random.Random) -> str:
    h = r.randint(7, 20)
    return r.choice([f"{h}h", f"{h}h30", f"{h}:30", f"{h}h15", f"{h}:45"])


def _spam_link(r: random.Random) -> str:
    scheme = r.choice(["", "", "https://", "http://"])
    return f"{scheme}{r.choice(SPAM_HOSTS)}/{_token(r, r.randint(4, 7))}"


def _pick(values):
    return lambda r: r.choice(values)


SLOTS = {
    "name": lambda r: r.choice(FNAMES + MNAMES),
    "fname": _pick(FNAMES),
    "mname": _pick(MNAMES),
    "fullname": lambda r: f"{r.choice(FNAMES + MNAMES)} {r.choice(SURNAMES)}",
    "city": _pick(CITIES),
    "at_place": _pick(AT_PLACES),
    "to_place": lambda r: re.sub(
        r"^n([ao]) ", lambda m: "pra " if m.group(1) == "a" else "pro ", r.choice(AT_PLACES)
    ),
    "weekday": _pick(WEEKDAYS),
    "time": _time,
    "mins": _pick(["5", "10", "15", "20", "30", "40"]),
    "day": lambda r: str(r.randint(1, 28)),
    "date": lambda r: f"{r.randint(1, 28):02d}/{r.randint(1, 12):02d}",
    "month": _pick(MONTHS),
    "year": _pick(["2024", "2025", "2026"]),
    "reais": lambda r: r.choice(
        [f"{v} reais" for v in (10, 15, 20, 25, 30, 35, 40, 50, 60, 80, 100, 150)]
        + [f"R$ {v}" for v in (20, 30, 45, 50, 70, 120)]
    ),
    "value_small": lambda r: _money(r, 5, 400),
    "value_mid": lambda r: _money(r, 400, 3500),
    "value_big": lambda r: _money(r, 2000, 50000, round_to=500),
    "bank": _pick(BANKS),
    "bank_upper": lambda r: r.choice(BANKS).upper(),
    "store": _pick(STORES),
    "carrier": _pick(CARRIERS),
    "telco": _pick(TELCOS),
    "app": _pick(APPS),
    "chatapp": _pick(CHATAPPS),
    "clinic": _pick(CLINICS),
    "doctor": lambda r: f"{r.choice(['Dr.', 'Dra.'])} {r.choice(SURNAMES)}",
    "condo": _pick(CONDOS),
    "pharmacy": _pick(PHARMACIES),
    "gym": _pick(GYMS),
    "restaurant": _pick(RESTAURANTS),
    "salon": _pick(SALONS),
    "company": _pick(COMPANIES),
    "school": _pick(SCHOOLS),
    "merchant": _pick(MERCHANTS),
    "bet": _pick(BETS),
    "game": _pick(GAMES),
    "prize": _pick(PRIZES),
    "promo": _pick(PROMOS),
    "miracle": _pick(MIRACLES),
    "miracle_cap": lambda r: r.choice(MIRACLES).split(" ", 1)[1].capitalize(),
    "ailment": _pick(AILMENTS),
    "what": _pick(WHATS),
    "course": _pick(COURSES),
    "gadget": _pick(GADGETS),
    "subject": _pick(SUBJECTS),
    "grade": _pick(["6,5", "7,0", "7,5", "8", "8,5", "9", "9,5", "10"]),
    "food": _pick(FOODS),
    "grocery": _pick(GROCERIES),
    "object": _pick(OBJECTS),
    "sale_item": _pick(SALE_ITEMS),
    "pet": _pick(PETS),
    "relative": _pick(RELATIVES),
    "event": _pick(EVENTS),
    "project": _pick(PROJECTS),
    "num": lambda r: str(r.randint(1, 200)),
    "code": lambda r: f"{r.randint(0, 999999):06d}",
    "order": lambda r: f"#{r.randint(10000, 999999)}",
    "card4": lambda r: f"{r.randint(0, 9999):04d}",
    "points": lambda r: f"{r.randint(3, 80)}.{r.choice(['000', '500'])}",
    "pct": _pick(["30", "40", "50", "60", "70", "80", "90", "95", "97", "200", "300"]),
    "rate": _pick(["0,99", "1,09", "1,2", "0,89", "1,49"]),
    "hours": _pick(["2", "3", "4", "12", "24", "48"]),
    "odd": _pick(["5", "7", "10", "15", "20", "50"]),
    "kg": _pick(["5", "8", "10", "12", "15", "20"]),
    "days": _pick(["3", "5", "7", "10", "15", "21", "30"]),
    "gb": _pick(["10", "20", "30", "50", "100"]),
    "thousand": _pick(["1", "2", "5", "10"]),
    "phone": lambda r: r.choice(
        [
            f"(00) 9{r.randint(1000, 9999)}-{r.randint(1000, 9999)}",
            f"0800 000 {r.randint(1000, 9999)}",
        ]
    ),
    "pixkey": lambda r: (
        f"{r.choice(['pagamentos', 'cobranca', 'acordo', 'financeiro'])}{r.randint(1, 99)}@exemplo.com"
    ),
    "slink": _spam_link,
    "meetlink": lambda r: (
        f"{r.choice(['', 'https://'])}meet.exemplo.com/"
        + "-".join(_token(r, n).lower() for n in (3, 4, 3))
    ),
    "doclink": lambda r: f"{r.choice(['', 'https://'])}docs.exemplo.com/d/{_token(r, 10)}",
    "photolink": lambda r: f"{r.choice(['', 'https://'])}fotos.exemplo.com.br/album/{_token(r, 6)}",
    "menulink": lambda r: (
        f"{r.choice(['', 'https://'])}cardapio.exemplo.com.br/{_token(r, 5).lower()}"
    ),
    "ham_prize": _pick(
        [
            "uma cesta básica",
            "um bolo",
            "uma bicicleta",
            "um kit churrasco",
            "um ventilador",
            "uma cesta de chocolate",
            "um vale-pizza",
        ]
    ),
    "formlink": lambda r: f"{r.choice(['', 'https://'])}forms.exemplo.com/{_token(r, 6)}",
}
SLOT_RE = re.compile(r"\{(\w+)\}")


def fill(template: str, r: random.Random) -> str:
    """Replace every {slot}; a repeated slot reuses its value, {x2} always differs from {x}."""
    chosen: dict[str, str] = {}

    def sub(m: re.Match) -> str:
        key = m.group(1)
        if key not in chosen:
            base = key[:-1] if key.endswith("2") and key[:-1] in SLOTS else key
            value = SLOTS[base](r)
            while base != key and value == chosen.get(base):
                value = SLOTS[base](r)
            chosen[key] = value
        return chosen[key]

    return SLOT_RE.sub(sub, template)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def restyle(text: str, r: random.Random) -> str:
    """Typing noise applied to template output, equally for both classes: no accents, or all
    lowercase."""
    x = r.random()
    if x < 0.12:
        return strip_accents(text)
    if x < 0.20:
        return text.lower()
    return text


# --------------------------------------------------------------------------------------------------
# Build, split, write.
# --------------------------------------------------------------------------------------------------


def clean(text: str) -> str:
    return " ".join(text.split())


def build(seed: int = SEED) -> list[tuple[str, str, str]]:
    """Return (text, label, group) rows: handwritten first, then templates round-robin up to
    TARGET."""
    r = random.Random(seed)
    seen: set[str] = set()
    rows: list[tuple[str, str, str]] = []

    def add(text: str, label: str, group: str) -> bool:
        text = clean(text)
        # also drop near-copies that differ only in case or accents
        key = strip_accents(text.lower())
        if not text or key in seen:
            return False
        seen.add(key)
        rows.append((text, label, group))
        return True

    sources = {"ham": (HAM_HANDWRITTEN, HAM_TEMPLATES), "spam": (SPAM_HANDWRITTEN, SPAM_TEMPLATES)}
    for label, (handwritten, templates) in sources.items():
        for i, text in enumerate(handwritten):
            if not add(text, label, f"{label}-hand-{i}"):
                raise ValueError(f"duplicate handwritten {label} message: {text!r}")
        count = len(handwritten)
        active = list(range(len(templates)))
        while count < TARGET[label] and active:
            for t in list(active):
                if count >= TARGET[label]:
                    break
                for _ in range(40):  # a few tries to find an unseen fill
                    if add(restyle(fill(templates[t], r), r), label, f"{label}-tpl-{t}"):
                        count += 1
                        break
                else:
                    active.remove(t)  # this template is exhausted
        if count < TARGET[label]:
            raise ValueError(f"only {count} {label} messages, wanted {TARGET[label]}")
    return rows


def assign_splits(rows: list[tuple[str, str, str]], seed: int = SEED) -> list[tuple[str, str, str]]:
    """Stratified, group-aware split. Strata are (label, handwritten or template); inside each
    stratum whole groups go, biggest first, to the split furthest below its target share."""
    r = random.Random(seed + 1)
    strata: dict[tuple[str, str], dict[str, list[str]]] = {}
    for text, label, group in rows:
        kind = "hand" if "-hand-" in group else "tpl"
        strata.setdefault((label, kind), {}).setdefault(group, []).append(text)
    out: list[tuple[str, str, str]] = []
    for (label, _), groups in sorted(strata.items()):
        total = sum(len(v) for v in groups.values())
        names = list(groups)
        r.shuffle(names)
        names.sort(key=lambda g: -len(groups[g]))  # stable: big groups first, ties stay shuffled
        filled = dict.fromkeys(SPLIT_FRACTIONS, 0)
        for g in names:
            split = max(SPLIT_FRACTIONS, key=lambda s: SPLIT_FRACTIONS[s] * total - filled[s])
            filled[split] += len(groups[g])
            out.extend((text, label, split) for text in groups[g])
    order = {s: i for i, s in enumerate(SPLIT_FRACTIONS)}
    r.shuffle(out)
    out.sort(key=lambda row: order[row[2]])
    return out


def to_tsv(rows: list[tuple[str, str, str]]) -> str:
    lines = ["text\tlabel\tsplit"]
    for text, label, split in rows:
        assert (
            "\t" not in text and "\n" not in text and "\r" not in text and label in ("ham", "spam")
        )
        lines.append(f"{text}\t{label}\t{split}")
    return "\n".join(lines) + "\n"


def report(rows: list[tuple[str, str, str]], groups: list[tuple[str, str, str]]) -> str:
    counts = Counter((split, label) for _, label, split in rows)
    lines = ["| split | ham | spam | total | spam % |", "|---|---:|---:|---:|---:|"]
    for split in [*SPLIT_FRACTIONS, "total"]:
        ham = sum(v for (s, lab), v in counts.items() if lab == "ham" and split in (s, "total"))
        spam = sum(v for (s, lab), v in counts.items() if lab == "spam" and split in (s, "total"))
        lines.append(
            f"| {split} | {ham} | {spam} | {ham + spam} | {100 * spam / (ham + spam):.1f} |"
        )
    hand = Counter(label for _, label, g in groups if "-hand-" in g)
    lines.append("")
    lines.append(
        f"handwritten: ham {hand['ham']}, spam {hand['spam']} "
        f"({100 * sum(hand.values()) / len(groups):.1f}% of all messages); the rest from "
        f"{len(HAM_TEMPLATES)} ham + {len(SPAM_TEMPLATES)} spam templates"
    )
    cues = {
        "link": re.compile(r"exemplo\.|promo-falsa|https?://"),
        "R$": re.compile(r"R\$"),
        "pix": re.compile(r"\bpix\b", re.I),
        "ganh/prêmio/sorte": re.compile(r"ganh|pr[êe]mi|sorte", re.I),
    }
    for cue, pattern in cues.items():
        shares = []
        for label in ("ham", "spam"):
            texts = [t for t, lab, _ in groups if lab == label]
            shares.append(
                f"{label} {100 * sum(bool(pattern.search(t)) for t in texts) / len(texts):.1f}%"
            )
        lines.append(f"messages with {cue}: " + ", ".join(shares))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument(
        "--check", action="store_true", help="compare with the file on disk instead of writing"
    )
    args = ap.parse_args(argv)
    grouped = build()
    rows = assign_splits(grouped)
    content = to_tsv(rows)
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == content
        print(f"{args.out}: {'up to date' if same else 'DIFFERS from a fresh build'}")
        return 0 if same else 1
    write_text_atomic(args.out, content, newline="\n")
    print(f"wrote {len(rows)} messages to {args.out}")
    print(report(rows, grouped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
